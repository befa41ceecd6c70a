import { recordFiles, withStoredBlobs } from '../blobs/with-stored-blobs.ts'
import type { Ctx } from '../context.ts'
import { encryptAtRest } from '../credentials/at-rest.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { detectImageType } from '../proof/image-type.ts'
import { withTx } from '../store/tx.ts'
import { loadOperator } from './load.ts'

export const KYC_DOCUMENTS = ['id_document', 'selfie', 'proof_of_address'] as const
export type KycDocument = (typeof KYC_DOCUMENTS)[number]

const isPdf = (b: Buffer) => b.length > 4 && b.toString('latin1', 0, 5) === '%PDF-'

/**
 * Stores the operator's identity documents encrypted at rest (AES-256-GCM under the master key)
 * and queues them for review. In `auto` mode the check passes at once.
 */
export async function submitKyc(ctx: Ctx, operatorId: string, docs: Partial<Record<KycDocument, Buffer>>) {
  const missing = KYC_DOCUMENTS.filter((d) => !docs[d])
  if (missing.length > 0) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `Missing KYC document(s): ${missing.join(', ')}. Upload all three as multipart files.`,
      missing.map((m) => ({ path: m, message: 'required' })),
    )
  }
  const files = KYC_DOCUMENTS.map((purpose) => {
    const data = docs[purpose]!
    const type = detectImageType(data) ?? (isPdf(data) ? 'application/pdf' : null)
    if (!type) {
      throw new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        `\`${purpose}\` must be a JPEG, PNG, WebP image or a PDF.`,
      )
    }
    if (data.length > ctx.config.uploadMaxBytes) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `\`${purpose}\` is larger than ${ctx.config.uploadMaxBytes} bytes.`,
      )
    }
    return { id: newId('file'), purpose, type, data }
  })
  const now = ctx.clock.now()
  const blobs = files.map((f) => ({
    key: `kyc/${operatorId}/${f.id}`,
    data: encryptAtRest(ctx.secrets.masterKey, `file:${f.id}`, f.data),
    contentType: 'application/octet-stream',
  }))
  return withStoredBlobs(ctx, blobs, () =>
    withTx(ctx.store, async (tx) => {
      const op = await loadOperator(tx, operatorId)
      if (op.kyc_status === 'APPROVED') {
        throw new DomainError('CONFLICT', 'Your identity check is already approved; nothing to upload.')
      }
      await recordFiles(
        tx,
        files.map((f) => ({
          id: f.id,
          ownerId: operatorId,
          taskId: null,
          purpose: `kyc:${f.purpose}`,
          contentType: f.type,
          sizeBytes: f.data.length,
          key: `kyc/${operatorId}/${f.id}`,
          encrypted: true,
        })),
        now,
      )
      const status = ctx.config.kycMode === 'auto' ? 'APPROVED' : 'PENDING'
      await tx
        .updateTable('operators')
        .set({ kyc_status: status, kyc_submitted_at: now.toISOString(), kyc_reason: null })
        .where('id', '=', operatorId)
        .execute()
      return { operator_id: operatorId, kyc_status: status, documents: files.map((f) => f.purpose) }
    }),
  )
}
