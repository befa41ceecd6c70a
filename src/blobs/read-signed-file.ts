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
  const data = await ctx.blobs.get(file.storage_key)
  if (!data) throw notFound('File')
  return { contentType: file.content_type, data }
}
