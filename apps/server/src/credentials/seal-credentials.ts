import type { Ctx } from '../context.ts'
import type { TaskRow } from '../tasks/load.ts'
import { credentialPurpose, encryptAtRest } from './at-rest.ts'
import {
  type CredentialValues,
  givenFields,
  SEALED_BOX,
  type SealedCredentials,
  sodiumReady,
} from './fields.ts'

/**
 * What to store in `tasks.credentials` for the credential fields an operator submitted, or null
 * when none was given. With the agent's X25519 key each value is sealed (libsodium
 * `crypto_box_seal`) over `{"task_id","field","value"}`: only the agent can open it, and the
 * task id and field inside stop a box from being replayed onto another task or field. Without a
 * key the values are encrypted at rest under a key derived from the master key. The plaintext is
 * never written anywhere.
 */
export async function sealCredentials(
  ctx: Ctx,
  task: Pick<TaskRow, 'id' | 'agent_public_key'>,
  values: CredentialValues | undefined,
): Promise<string | null> {
  const given = givenFields(values)
  if (given.length === 0) return null
  if (!task.agent_public_key) {
    const plain = Buffer.from(JSON.stringify(Object.fromEntries(given)))
    return encryptAtRest(ctx.secrets.masterKey, credentialPurpose(task.id), plain).toString('base64')
  }
  const sodium = await sodiumReady()
  const publicKey = Buffer.from(task.agent_public_key, 'base64')
  const fields: CredentialValues = {}
  for (const [field, value] of given) {
    const box = sodium.crypto_box_seal(JSON.stringify({ task_id: task.id, field, value }), publicKey)
    fields[field] = Buffer.from(box).toString('base64')
  }
  const stored: SealedCredentials = { encryption: SEALED_BOX, fields }
  return JSON.stringify(stored)
}
