import { sharp } from './sharp.ts'

/**
 * dHash: the image shrunk to 9×8 grey pixels, one bit per horizontal neighbour pair (left darker
 * than right). Recompression, resizing and small colour changes leave it (nearly) unchanged, so
 * the same photo uploaded twice lands within a few bits. Returns 16 hex digits, or null for an
 * image with no structure at that scale (blank, uniform): every such image would hash alike, so
 * those are never compared for reuse (the quality check refuses them anyway).
 */
export async function differenceHash(image: Buffer): Promise<string | null> {
  const px = await sharp(image).greyscale().resize(9, 8, { fit: 'fill' }).raw().toBuffer()
  let min = 255
  let max = 0
  for (const v of px) {
    if (v < min) min = v
    if (v > max) max = v
  }
  if (max - min < 8) return null
  let hex = ''
  for (let row = 0; row < 8; row++) {
    let byte = 0
    for (let x = 0; x < 8; x++) byte = (byte << 1) | (px[row * 9 + x]! < px[row * 9 + x + 1]! ? 1 : 0)
    hex += byte.toString(16).padStart(2, '0')
  }
  return hex
}

/** Number of differing bits between two 64-bit hashes in hex. */
export function hammingDistance(a: string, b: string): number {
  let d = 0
  for (let i = 0; i < 16; i += 4) {
    let x = Number.parseInt(a.slice(i, i + 4), 16) ^ Number.parseInt(b.slice(i, i + 4), 16)
    while (x) {
      d += x & 1
      x >>>= 1
    }
  }
  return d
}

/**
 * The hash cut into 4 bands of 16 bits, each keyed by its position. Two hashes within 3 bits of
 * each other share at least one band exactly (pigeonhole), so an indexed lookup on the bands finds
 * every near-identical photo without scanning all hashes.
 */
export const HASH_BANDS = 4
export const REUSE_MAX_DISTANCE = HASH_BANDS - 1

export function hashBands(hash: string): string[] {
  return Array.from({ length: HASH_BANDS }, (_, i) => `${i}:${hash.slice(i * 4, i * 4 + 4)}`)
}
