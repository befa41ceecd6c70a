// What a browser project bundles: `@humcli/sdk` as published (its `default` export condition,
// i.e. the compiled dist/), exposed for the browser test (sdk-browser.test.ts).
import * as sdk from '@humcli/sdk'

;(globalThis as unknown as { HumcliSdk: typeof sdk }).HumcliSdk = sdk
