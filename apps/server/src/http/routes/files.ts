import { errorResponses, IdParams, Strict } from '@humcli/contract'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { readSignedFile } from '../../blobs/read-signed-file.ts'
import type { Ctx } from '../../context.ts'

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
        security: [],
        operationId: 'getFile',
        summary: 'A stored file, through a signed expiring URL',
        description:
          'No auth: the signature is the permission. Proof photos are metadata-free JPEGs; 403 for ' +
          'a wrong or expired signature.',
        params: IdParams,
        querystring: FileQuery,
        response: {
          200: {
            description: 'The file',
            content: { 'image/jpeg': { schema: Type.String({ format: 'binary' }) } },
          },
          ...errorResponses(400, 404, 410),
        },
      },
    },
    async (req, reply) => {
      const file = await readSignedFile(ctx, req.params.id, req.query.expires, req.query.signature)
      reply
        .type(file.contentType)
        .header('cache-control', 'private, max-age=300')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
      if (file.sizeBytes !== null) reply.header('content-length', file.sizeBytes)
      return reply.send(file.body)
    },
  )
}
