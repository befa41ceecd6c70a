import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { checkFileSignature } from '../../blobs/signed-urls.ts'
import type { Ctx } from '../../context.ts'
import { DomainError, notFound } from '../../domain/errors.ts'
import { IdParams, Strict } from '../schemas/common.ts'

const FileQuery = Strict({
  expires: Type.Integer({ minimum: 0 }),
  signature: Type.String({ pattern: '^[0-9a-f]{64}$' }),
})

export function fileRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.get<{ Params: IdParams; Querystring: { expires: number; signature: string } }>(
    '/files/:id',
    {
      schema: {
        tags: ['files'],
        summary: 'A stored file, through a signed expiring URL',
        params: IdParams,
        querystring: FileQuery,
      },
    },
    async (req, reply) => {
      const verdict = checkFileSignature(ctx, req.params.id, req.query.expires, req.query.signature)
      if (verdict === 'bad') throw notFound('File')
      if (verdict === 'expired')
        throw new DomainError('GONE', 'This file link has expired; fetch the task again for a fresh link.')
      const file = await ctx.store.db
        .selectFrom('files')
        .selectAll()
        .where('id', '=', req.params.id)
        .executeTakeFirst()
      if (!file || file.encrypted === 1n) throw notFound('File')
      const data = await ctx.blobs.get(file.storage_key)
      if (!data) throw notFound('File')
      reply
        .type(file.content_type)
        .header('cache-control', 'private, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
      return data
    },
  )
}
