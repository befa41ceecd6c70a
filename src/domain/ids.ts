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

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/** A random id such as `task_k3v9x0q2m7z1c8d4w6y5n0ab`: prefix, underscore, 24 base-36 chars. */
export function newId(prefix: IdPrefix, length = 24): string {
  const bytes = randomBytes(length)
  let out = ''
  for (const b of bytes) out += ALPHABET[b % 36]
  return `${prefix}_${out}`
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
