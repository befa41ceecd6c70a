import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Config } from './config.ts'

export interface Secrets {
  masterKey: Buffer
  /** Ed25519 key pair that signs operator JWTs, derived from the master key. */
  jwtPrivateKey: KeyObject
  jwtPublicKey: KeyObject
  /** HMAC key for signed file URLs. */
  urlKey: Buffer
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

function derive(master: Buffer, purpose: string): Buffer {
  return createHmac('sha256', master).update(`humcli:${purpose}`).digest()
}

/**
 * Loads the master key from HUMCLI_MASTER_KEY, or in development from `<data>/secrets/master.key`,
 * generating it on first run. Every other secret is derived from it, so several processes that
 * share the key agree on JWT and URL signatures.
 */
export function loadSecrets(config: Pick<Config, 'masterKey' | 'dataDir' | 'env'>): Secrets {
  let hex = config.masterKey
  if (!hex) {
    const file = path.join(config.dataDir, 'secrets', 'master.key')
    if (fs.existsSync(file)) {
      hex = fs.readFileSync(file, 'utf8').trim()
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      hex = randomBytes(32).toString('hex')
      try {
        fs.writeFileSync(file, `${hex}\n`, { mode: 0o600, flag: 'wx' })
      } catch {
        // Another process created it first: use theirs.
        hex = fs.readFileSync(file, 'utf8').trim()
      }
    }
  }
  const masterKey = Buffer.from(hex, 'hex')
  const seed = derive(masterKey, 'jwt-ed25519')
  const jwtPrivateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  })
  return {
    masterKey,
    jwtPrivateKey,
    jwtPublicKey: createPublicKey(jwtPrivateKey),
    urlKey: derive(masterKey, 'file-urls'),
  }
}

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex')
