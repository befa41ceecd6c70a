import { hammingDistance, hashBands, REUSE_MAX_DISTANCE } from '../proof/perceptual-hash.ts'
import type { Tx } from '../store/schema.ts'

/**
 * Photos of this proof that are near-identical (≤ `REUSE_MAX_DISTANCE` bits apart) to a photo of
 * ANY other task, whoever submitted it. One indexed lookup on the hash bands finds the candidates;
 * the exact distance decides.
 */
export async function findReusedPhotos(
  tx: Tx,
  taskId: string,
  hashes: (string | null)[],
): Promise<{ photoIndex: number; distance: number; fileId: string }[]> {
  const bands = [...new Set(hashes.flatMap((h) => (h ? hashBands(h) : [])))]
  if (bands.length === 0) return []
  const candidates = await tx
    .selectFrom('photo_hash_bands as b')
    .innerJoin('photo_hashes as h', 'h.file_id', 'b.file_id')
    .select(['h.file_id', 'h.hash'])
    .distinct()
    .where('b.band', 'in', bands)
    .where('h.task_id', '!=', taskId)
    .execute()
  const out: { photoIndex: number; distance: number; fileId: string }[] = []
  hashes.forEach((hash, photoIndex) => {
    if (!hash) return
    for (const c of candidates) {
      const distance = hammingDistance(hash, c.hash)
      if (distance <= REUSE_MAX_DISTANCE) out.push({ photoIndex, distance, fileId: c.file_id })
    }
  })
  return out
}
