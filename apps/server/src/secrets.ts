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
  /** The public id of the master key, stored with every sealed secret (`sealSecret`). */
  masterKeyId: string
  /** Every master key this server can open sealed secrets with, by id: the current and the previous ones. */
  keyring: Map<string, Buffer>
}

/** A short public id of a master key (not a hash of the key itself: an HMAC under it of a fixed label). */
export const masterKeyId = (master: Buffer) => derive(master, 'key-id').subarray(0, 4).toString('hex')

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

function derive(master: Buffer, purpose: string): Buffer {
  return createHmac('sha256', master).update(`humcli:${purpose}`).digest()
}

/**
 * Reads the generated key file, creating it on first run. The key is written to a temporary file
 * and hard-linked into place, which is atomic and fails if the file exists, so two processes
 * starting at once on a fresh data folder agree on one key and never read a half-written file.
 */
function readOrCreateKeyFile(file: string): string {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    fs.writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 })
    try {
      fs.linkSync(tmp, file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    } finally {
      fs.rmSync(tmp, { force: true })
    }
  }
  const hex = fs.readFileSync(file, 'utf8').trim()
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error(`${file} does not hold a 64-hex-digit master key`)
  return hex
}

/**
 * Loads the master key from HUMCLI_MASTER_KEY, or in development from `<data>/secrets/master.key`,
 * generating it on first run. Every other secret is derived from it, so several processes that
 * share the key agree on JWT and URL signatures.
 */
export function loadSecrets(
  config: Pick<Config, 'masterKey' | 'dataDir' | 'env'> & Partial<Pick<Config, 'previousMasterKeys'>>,
): Secrets {
  const hex = config.masterKey ?? readOrCreateKeyFile(path.join(config.dataDir, 'secrets', 'master.key'))
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
    masterKeyId: masterKeyId(masterKey),
    keyring: new Map(
      [...(config.previousMasterKeys ?? []).map((k) => Buffer.from(k, 'hex')), masterKey].map((k) => [
        masterKeyId(k),
        k,
      ]),
    ),
  }
}

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex')
