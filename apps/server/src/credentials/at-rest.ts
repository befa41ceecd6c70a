import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'

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
