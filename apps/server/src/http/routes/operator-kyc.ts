import { errorResponses, KycSubmitted } from '@humcli/contract'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Ctx } from '../../context.ts'
import { DomainError, invalid } from '../../domain/errors.ts'
import { KYC_DOCUMENTS, type KycDocument, submitKyc } from '../../operators/submit-kyc.ts'
import { operatorId, requireOperator } from '../auth.ts'

async function readKyc(req: FastifyRequest): Promise<Partial<Record<KycDocument, Buffer>>> {
  if (!req.isMultipart()) {
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      `KYC documents must be sent as multipart/form-data: ${KYC_DOCUMENTS.join(', ')}.`,
    )
  }
  const docs: Partial<Record<KycDocument, Buffer>> = {}
  for await (const part of req.parts()) {
    if (part.type !== 'file' || !(KYC_DOCUMENTS as readonly string[]).includes(part.fieldname)) {
      if (part.type === 'file') await part.toBuffer().catch(() => {})
      throw invalid(
        part.fieldname,
        `Unknown field \`${part.fieldname}\`; upload the files ${KYC_DOCUMENTS.join(', ')}.`,
      )
    }
    docs[part.fieldname as KycDocument] = await part.toBuffer()
  }
  return docs
}

/** An operator's identity check: the KYC documents upload. */
export function operatorKycRoutes(app: FastifyInstance, ctx: Ctx): void {
  const auth = requireOperator(ctx)
  const tags = ['operators']
  const security = [{ bearer: [] }]

  app.post(
    '/operator/kyc',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'submitKyc',
        summary: 'Upload identity documents (multipart: id_document, selfie, proof_of_address)',
        description:
          'JPEG, PNG, WebP or PDF files, stored encrypted; the check is then PENDING (APPROVED at once in auto mode).',
        consumes: ['multipart/form-data'],
        response: { 200: KycSubmitted, ...errorResponses(400, 401, 409, 413, 415) },
      },
    },
    async (req) => submitKyc(ctx, operatorId(req), await readKyc(req)),
  )
}
