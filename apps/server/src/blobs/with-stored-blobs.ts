import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { Tx } from '../store/schema.ts'

export interface BlobToStore {
  key: string
  data: Buffer
  contentType: string
}

export interface FileRecord {
  id: string
  ownerId: string
  taskId: string | null
  purpose: string
  /** The type of the original content (what a reader gets back after decryption). */
  contentType: string
  sizeBytes: number
  key: string
  encrypted: boolean
}

/** Records stored files (owned by an operator) in the caller's transaction. */
export async function recordFiles(tx: Tx, files: FileRecord[], now: Date): Promise<void> {
  if (files.length === 0) return
  await tx
    .insertInto('files')
    .values(
      files.map((f) => ({
        id: f.id,
        owner_kind: 'operator',
        owner_id: f.ownerId,
        task_id: f.taskId,
        purpose: f.purpose,
        content_type: f.contentType,
        size_bytes: BigInt(f.sizeBytes),
        storage_key: f.key,
        encrypted: f.encrypted ? 1n : 0n,
        created_at: iso(now),
      })),
    )
    .execute()
}

/**
 * Writes the files first, then runs the transaction that records them; if anything fails the
 * files are deleted again. File I/O stays outside the database transaction, so a slow disk or
 * object store never holds the (single) SQLite writer.
 */
export async function withStoredBlobs<T>(
  ctx: Pick<Ctx, 'blobs'>,
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
