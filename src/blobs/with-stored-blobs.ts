import type { Ctx } from '../context.ts'

export interface BlobToStore {
  key: string
  data: Buffer
  contentType: string
}

/**
 * Writes the files first, then runs the transaction that records them; if anything fails the
 * files are deleted again. File I/O stays outside the database transaction, so a slow disk or
 * object store never holds the (single) SQLite writer.
 */
export async function withStoredBlobs<T>(
  ctx: Ctx,
  blobs: BlobToStore[],
  commit: () => Promise<T>,
): Promise<T> {
  const stored: string[] = []
  try {
    for (const b of blobs) {
      await ctx.blobs.put(b.key, b.data, b.contentType)
      stored.push(b.key)
    }
    return await commit()
  } catch (err) {
    await Promise.all(stored.map((k) => ctx.blobs.delete(k).catch(() => {})))
    throw err
  }
}
