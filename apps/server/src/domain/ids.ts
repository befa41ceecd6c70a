import { randomFillSync } from 'node:crypto'

/**
 * Random bytes are drawn from the OS a few kilobytes at a time and handed out once each: a call
 * into the random source per id cost more than the rest of making the id. Every byte is used at
 * most once, so ids stay as unpredictable as before.
 */
const POOL_SIZE = 4096
const pool = Buffer.alloc(POOL_SIZE)
let poolUsed = POOL_SIZE

function randomByte(): number {
  if (poolUsed === POOL_SIZE) {
    randomFillSync(pool)
    poolUsed = 0
  }
  return pool[poolUsed++]!
}

export type IdPrefix =
  | 'ag'
  | 'task'
  | 'op'
  | 'key'
  | 'payout'
  | 'dep'
  | 'evt'
  | 'whe'
  | 'whd'
  | 'file'
  | 'adm'
  | 'ltx'
  | 'emv'
  | 'stf'
  | 'ses'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * An id such as `task_mhx2k9q0k3v9x0q2m7z1c8d4`: prefix, underscore, 8 base-36 characters of the
 * creation time in milliseconds, then 16 random base-36 characters (about 82 bits).
 * Time first, so new rows land at the end of every index instead of on a random page — fewer
 * pages written per transaction — while the random tail keeps ids unguessable.
 */
export function newId(prefix: IdPrefix, now: number = Date.now()): string {
  const time = Math.max(0, Math.floor(now)).toString(36).padStart(8, '0').slice(-8)
  let tail = ''
  // 252 = 36 * 7: reject the top values so every character is equally likely.
  while (tail.length < 16) {
    const b = randomByte()
    if (b < 252) tail += ALPHABET[b % 36]
  }
  return `${prefix}_${time}${tail}`
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    const b = randomByte()
    // 248 = 62 * 4: reject the tail so every character is equally likely.
    if (b < 248) out += BASE62[b % 62]
  }
  return out
}
