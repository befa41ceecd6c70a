import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import type { Secrets } from '../secrets.ts'

/** AES-256-GCM under a key derived from the master key; `purpose` binds a ciphertext to its use. */
function keyFor(masterKey: Buffer, purpose: string): Buffer {
  return createHmac('sha256', masterKey).update(`humcli:at-rest:${purpose}`).digest()
}

export function encryptAtRest(masterKey: Buffer, purpose: string, plaintext: Buffer): Buffer {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyFor(masterKey, purpose), iv)
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body])
}

export function decryptAtRest(masterKey: Buffer, purpose: string, sealed: Buffer): Buffer {
  if (sealed[0] !== 1) throw new Error('unknown at-rest ciphertext version')
  const iv = sealed.subarray(1, 13)
  const tag = sealed.subarray(13, 29)
  const decipher = createDecipheriv('aes-256-gcm', keyFor(masterKey, purpose), iv)
  decipher.setAuthTag(tag)
  return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()])
}

/** The at-rest purpose of a task's credentials: a ciphertext moved to another task does not decrypt. */
export const credentialPurpose = (taskId: string) => `task-credential:${taskId}`

const SEALED_TEXT = /^enc:v1:([0-9a-f]{8}):([A-Za-z0-9+/=]+)$/

/**
 * A secret we must use again in plaintext (a webhook signing secret) as it is stored:
 * `enc:v1:<master key id>:<base64 AES-256-GCM>`, bound to `purpose` (the row it belongs to). The
 * key id says which master key sealed it, so after a rotation the previous key (in
 * `HUMCLI_MASTER_KEY_PREVIOUS`) still opens it (ADR 0016).
 */
export function sealSecret(secrets: Secrets, purpose: string, plaintext: string): string {
  const sealed = encryptAtRest(secrets.masterKey, purpose, Buffer.from(plaintext, 'utf8'))
  return `enc:v1:${secrets.masterKeyId}:${sealed.toString('base64')}`
}

export const isSealedSecret = (stored: string) => SEALED_TEXT.test(stored)

/** Opens what `sealSecret` stored; throws when the master key it names is not configured. */
export function openSecret(secrets: Secrets, purpose: string, stored: string): string {
  const m = SEALED_TEXT.exec(stored)
  if (!m) throw new Error(`a ${purpose.split(':')[0]} is not sealed (enc:v1:…)`)
  const key = secrets.keyring.get(m[1]!)
  if (!key) {
    throw new Error(
      `a ${purpose.split(':')[0]} is sealed under master key ${m[1]}, which is not configured: add it to HUMCLI_MASTER_KEY_PREVIOUS`,
    )
  }
  return decryptAtRest(key, purpose, Buffer.from(m[2]!, 'base64')).toString('utf8')
}

/** At-rest purposes of the webhook signing secrets: a sealed secret copied to another row does not open. */
export const endpointSecretPurpose = (endpointId: string) => `webhook-secret:${endpointId}`
export const callbackSecretPurpose = (taskId: string) => `callback-secret:${taskId}`
