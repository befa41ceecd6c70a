// `humcli/sdk`, kept for programs written against the SDK when it shipped inside this package:
// the SDK is now its own package, @humcli/sdk, with no server dependencies.
export * from '@humcli/sdk'
