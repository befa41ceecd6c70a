import { CREDENTIAL_FIELDS } from '@humcli/contract/enums'
import type SodiumModule from 'libsodium-wrappers'
import { CredentialError } from './errors.ts'
import type { CredentialField, CredentialResponse, CredentialValues } from './types.ts'

/** An X25519 keypair as base64 strings: give `publicKey` as `agent_public_key`, keep `privateKey` secret. */
export interface KeyPair {
  publicKey: string
  privateKey: string
}

type Sodium = typeof SodiumModule
let loading: Promise<Sodium> | null = null

/** libsodium (a WebAssembly build, ~200 KB) is loaded on the first credential call, not on import. */
function loadSodium(): Promise<Sodium> {
  loading ??= import('libsodium-wrappers').then(async (m) => {
    const sodium = ((m as { default?: Sodium }).default ?? m) as Sodium
    await sodium.ready
    return sodium
  })
  return loading
}

/** A fresh X25519 keypair for credential tasks. */
export async function generateKeyPair(): Promise<KeyPair> {
  const sodium = await loadSodium()
  const kp = sodium.crypto_box_keypair()
  const B64 = sodium.base64_variants.ORIGINAL
  return {
    publicKey: sodium.to_base64(kp.publicKey, B64),
    privateKey: sodium.to_base64(kp.privateKey, B64),
  }
}

const FIELDS: readonly CredentialField[] = CREDENTIAL_FIELDS

function decode(sodium: Sodium, value: string, what: string): Uint8Array {
  try {
    return sodium.from_base64(value, sodium.base64_variants.ORIGINAL)
  } catch (err) {
    throw new CredentialError(`The ${what} is not valid base64.`, err)
  }
}

function openOne(
  sodium: Sodium,
  taskId: string,
  field: CredentialField,
  box: string,
  kp: { pk: Uint8Array; sk: Uint8Array },
) {
  let plain: string
  try {
    plain = sodium.to_string(
      sodium.crypto_box_seal_open(decode(sodium, box, `sealed ${field}`), kp.pk, kp.sk),
    )
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
  const sodium = await loadSodium()
  const kp = {
    pk: decode(sodium, keyPair.publicKey, 'public key'),
    sk: decode(sodium, keyPair.privateKey, 'private key'),
  }
  for (const [field, box] of entries) out[field] = openOne(sodium, response.task_id, field, box, kp)
  return out
}
