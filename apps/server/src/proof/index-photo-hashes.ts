import { iso } from '../clock.ts'
import type { Tx } from '../store/schema.ts'
import { hashBands } from './perceptual-hash.ts'

/**
 * Adds stored photos to the Guardian's reuse index (`photo_hashes`, `photo_hash_bands`) in the
 * submission's transaction, so a photo exists in the index exactly when its proof does.
 * Featureless photos (null hash) are left out: they would all look alike.
 */
export async function indexPhotoHashes(
  tx: Tx,
  photos: { fileId: string; hash: string | null }[],
  at: { taskId: string; operatorId: string; now: Date },
): Promise<void> {
  const hashed = photos.filter((p): p is { fileId: string; hash: string } => p.hash !== null)
  if (hashed.length === 0) return
  await tx
    .insertInto('photo_hashes')
    .values(
      hashed.map((p) => ({
        file_id: p.fileId,
        task_id: at.taskId,
        operator_id: at.operatorId,
        hash: p.hash,
        created_at: iso(at.now),
      })),
    )
    .execute()
  await tx
    .insertInto('photo_hash_bands')
    .values(hashed.flatMap((p) => hashBands(p.hash).map((band) => ({ band, file_id: p.fileId }))))
    .execute()
}
