import type { Ctx } from '../context.ts'
import { DomainError, notFound } from '../domain/errors.ts'
import { checkFileSignature } from './signed-urls.ts'

/**
 * A file behind a signed URL: a bad signature is "not found" (it reveals nothing), an expired
 * one is 410. Encrypted files (KYC documents) are never served this way.
 */
export async function readSignedFile(ctx: Ctx, fileId: string, expires: number, signature: string) {
  const verdict = checkFileSignature(ctx, fileId, expires, signature)
  if (verdict === 'bad') throw notFound('File')
  if (verdict === 'expired')
    throw new DomainError('GONE', 'This file link has expired; fetch the task again for a fresh link.')
  const file = await ctx.store.db.selectFrom('files').selectAll().where('id', '=', fileId).executeTakeFirst()
  if (!file || file.encrypted === 1n) throw notFound('File')
  // Streamed from the store (a local file or an S3 object), never buffered whole.
  const blob = await ctx.blobs.stream(file.storage_key)
  if (!blob) throw notFound('File')
  return { contentType: file.content_type, body: blob.body, sizeBytes: blob.sizeBytes }
}
