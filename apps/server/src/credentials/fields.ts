import { CREDENTIAL_FIELDS, type CredentialField } from '@humcli/contract/enums'
import type Sodium from 'libsodium-wrappers'

export {
  CREDENTIAL_FIELDS,
  type CredentialField,
  PROOF_FIELD_NAME,
  type ProofCredentialField,
} from '@humcli/contract/enums'
export type CredentialValues = Partial<Record<CredentialField, string>>

export const SEALED_BOX = 'x25519-sealedbox'

/**
 * What `tasks.credentials` holds for a sealed task: one base64 sealed box per given field. The
 * server cannot open them; it knows only which fields were given. Tasks without an agent key hold
 * an AES-256-GCM ciphertext under the master key instead (base64, see `at-rest.ts`).
 */
export interface SealedCredentials {
  encryption: typeof SEALED_BOX
  fields: CredentialValues
}

/**
 * libsodium, loaded on first use (so commands that never seal, like the CLI, do not pay for
 * loading it) and initialised once; every use awaits this first.
 */
export async function sodiumReady(): Promise<typeof Sodium> {
  const sodium = (await import('libsodium-wrappers')).default
  await sodium.ready
  return sodium
}

/**
 * The fields actually given, in a fixed order: a value of only whitespace counts as not given.
 * Values are kept as typed (a password may start or end with a space). The one definition both
 * for what is sealed and for what the proof lists (`credential_fields`).
 */
export function givenFields(values: CredentialValues | undefined): [CredentialField, string][] {
  if (!values) return []
  return CREDENTIAL_FIELDS.flatMap((f) => {
    const v = values[f]
    return v === undefined || v.trim() === '' ? [] : [[f, v] as [CredentialField, string]]
  })
}
