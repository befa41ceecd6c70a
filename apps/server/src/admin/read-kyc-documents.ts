import type { Ctx } from '../context.ts'
import { decryptAtRest } from '../credentials/at-rest.ts'
import { notFound } from '../domain/errors.ts'
import type { StaffActor } from '../domain/staff-roles.ts'
import { withTx } from '../store/tx.ts'
import { recordAudit } from './audit.ts'

/**
 * `GET /admin/operators/{id}/kyc-documents`: the operator's latest KYC upload, decrypted for the
 * staff member asking (the route forbids caching), as data URLs. Each viewing is audited.
 */
export async function readKycDocuments(ctx: Ctx, actor: StaffActor, operatorId: string) {
  const db = ctx.store.db
  const op = await db
    .selectFrom('operators')
    .select(['id', 'kyc_status'])
    .where('id', '=', operatorId)
    .executeTakeFirst()
  if (!op) throw notFound('Operator')
  const files = await db
    .selectFrom('files')
    .selectAll()
    .where('owner_id', '=', operatorId)
    .where('purpose', 'like', 'kyc:%')
    .orderBy('created_at', 'desc')
    .execute()
  const latest = new Map<string, (typeof files)[number]>()
  for (const f of files) if (!latest.has(f.purpose)) latest.set(f.purpose, f)
  const documents: { purpose: string; content_type: string; uploaded_at: string; data_url: string }[] = []
  for (const f of latest.values()) {
    const sealed = await ctx.blobs.get(f.storage_key)
    if (!sealed) continue
    const data = f.encrypted === 1n ? decryptAtRest(ctx.secrets.masterKey, `file:${f.id}`, sealed) : sealed
    documents.push({
      purpose: f.purpose.slice('kyc:'.length),
      content_type: f.content_type,
      uploaded_at: f.created_at,
      data_url: `data:${f.content_type};base64,${data.toString('base64')}`,
    })
  }
  await withTx(ctx.store, (tx) =>
    recordAudit(tx, {
      actor: `admin:${actor.id}`,
      action: 'kyc.view',
      objectType: 'operator',
      objectId: operatorId,
      after: { documents: documents.map((d) => d.purpose) },
      at: ctx.clock.now(),
    }),
  )
  return { operator_id: operatorId, kyc_status: op.kyc_status, documents }
}
