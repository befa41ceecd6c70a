import { randomBytes } from 'node:crypto'

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
    for (const b of randomBytes(24)) if (b < 252 && tail.length < 16) tail += ALPHABET[b % 36]
  }
  return `${prefix}_${time}${tail}`
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      // 248 = 62 * 4: reject the tail so every character is equally likely.
      if (b < 248 && out.length < length) out += BASE62[b % 62]
    }
  }
  return out
}
