import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import type { TaskRow } from '../tasks/load.ts'
import { credentialPurpose, decryptAtRest } from './at-rest.ts'
import { type CredentialValues, givenFields, SEALED_BOX, type SealedCredentials } from './fields.ts'

export interface StoredCredentials {
  encryption: typeof SEALED_BOX | 'none'
  /** Sealed boxes (base64) for `x25519-sealedbox`; the values themselves for `none`. */
  fields: CredentialValues
}

/** Reads what `sealCredentials` stored: sealed boxes as they are, at-rest values decrypted. */
export function readStoredCredentials(
  ctx: Ctx,
  task: Pick<TaskRow, 'id' | 'credentials'>,
): StoredCredentials | null {
  if (task.credentials === null) return null
  if (task.credentials.startsWith('{')) {
    const sealed = JSON.parse(task.credentials) as SealedCredentials
    return { encryption: SEALED_BOX, fields: Object.fromEntries(givenFields(sealed.fields)) }
  }
  let plain: Buffer
  try {
    plain = decryptAtRest(
      ctx.secrets.masterKey,
      credentialPurpose(task.id),
      Buffer.from(task.credentials, 'base64'),
    )
  } catch {
    // Another master key, or a ciphertext that was encrypted for another task: never guess.
    throw new DomainError(
      'INTERNAL',
      `The stored credential of task ${task.id} cannot be decrypted with this server's master key for this task; ask the platform operator.`,
    )
  }
  return { encryption: 'none', fields: Object.fromEntries(givenFields(JSON.parse(plain.toString('utf8')))) }
}
