import sodium from 'libsodium-wrappers'
import { CredentialError } from './errors.ts'
import type { CredentialField, CredentialResponse, CredentialValues } from './types.ts'

/** An X25519 keypair as base64 strings: give `publicKey` as `agent_public_key`, keep `privateKey` secret. */
export interface KeyPair {
  publicKey: string
  privateKey: string
}

const B64 = () => sodium.base64_variants.ORIGINAL

/** A fresh X25519 keypair for credential tasks. */
export async function generateKeyPair(): Promise<KeyPair> {
  await sodium.ready
  const kp = sodium.crypto_box_keypair()
  return {
    publicKey: sodium.to_base64(kp.publicKey, B64()),
    privateKey: sodium.to_base64(kp.privateKey, B64()),
  }
}

const FIELDS: readonly CredentialField[] = ['username', 'password', 'api_key', 'notes']

function decode(value: string, what: string): Uint8Array {
  try {
    return sodium.from_base64(value, B64())
  } catch (err) {
    throw new CredentialError(`The ${what} is not valid base64.`, err)
  }
}

function openOne(
  taskId: string,
  field: CredentialField,
  box: string,
  kp: { pk: Uint8Array; sk: Uint8Array },
) {
  let plain: string
  try {
    plain = sodium.to_string(sodium.crypto_box_seal_open(decode(box, `sealed ${field}`), kp.pk, kp.sk))
  } catch (err) {
    if (err instanceof CredentialError) throw err
    throw new CredentialError(`The sealed ${field} cannot be opened with this keypair.`, err)
  }
  let inner: { task_id?: unknown; field?: unknown; value?: unknown }
  try {
    inner = JSON.parse(plain)
  } catch (err) {
    throw new CredentialError(`The sealed ${field} does not hold the expected JSON.`, err)
  }
  if (inner.task_id !== taskId || inner.field !== field) {
    throw new CredentialError(
      `The sealed ${field} was made for ${String(inner.task_id)}/${String(inner.field)}, not ${taskId}/${field}: refusing a box replayed from elsewhere.`,
    )
  }
  if (typeof inner.value !== 'string') throw new CredentialError(`The sealed ${field} has no string value.`)
  return inner.value
}

/**
 * The plain credential of a `retrieveCredential` response. With `x25519-sealedbox` every value
 * is opened with your keypair and must name this task and its own field (so a box cannot be
 * replayed onto another task or field); with `none` the values are returned as they came.
 */
export async function openCredential(
  response: CredentialResponse,
  keyPair: KeyPair,
): Promise<CredentialValues>
export async function openCredential(
  response: CredentialResponse,
  keyPair?: KeyPair,
): Promise<CredentialValues>
export async function openCredential(
  response: CredentialResponse,
  keyPair?: KeyPair,
): Promise<CredentialValues> {
  const out: CredentialValues = {}
  const entries = Object.entries(response.encrypted_credential ?? {}).filter(
    (e): e is [CredentialField, string] => typeof e[1] === 'string',
  )
  for (const [field] of entries) {
    if (!FIELDS.includes(field)) throw new CredentialError(`Unexpected credential field "${field}".`)
  }
  if (response.encryption === 'none') {
    for (const [field, value] of entries) out[field] = value
    return out
  }
  if (response.encryption !== 'x25519-sealedbox') {
    throw new CredentialError(`Unknown credential encryption "${String(response.encryption)}".`)
  }
  if (!keyPair)
    throw new CredentialError(
      'This credential is sealed: pass the keypair whose public key the task was given.',
    )
  await sodium.ready
  const kp = { pk: decode(keyPair.publicKey, 'public key'), sk: decode(keyPair.privateKey, 'private key') }
  for (const [field, box] of entries) out[field] = openOne(response.task_id, field, box, kp)
  return out
}
