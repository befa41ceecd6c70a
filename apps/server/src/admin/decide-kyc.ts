import type { Ctx } from '../context.ts'
import { DomainError, notFound } from '../domain/errors.ts'
import type { StaffActor } from '../domain/staff-roles.ts'
import { withTx } from '../store/tx.ts'
import { alreadyDecided } from './already-decided.ts'
import { recordAudit } from './audit.ts'

const KYC_ACTIONS = ['kyc.approve', 'kyc.reject']

/**
 * Approve or reject an operator's KYC, with a reason the operator sees on a rejection. A
 * compare-and-set on the status read: a decision that would change nothing (another staff member
 * decided the same way first) is refused with who did it and when.
 */
export async function decideKyc(
  ctx: Ctx,
  actor: StaffActor,
  operatorId: string,
  input: { decision: 'APPROVE' | 'REJECT'; reason?: string },
) {
  const status = input.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED'
  const reason = input.decision === 'REJECT' ? (input.reason ?? null) : null
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const op = await tx
      .selectFrom('operators')
      .select(['kyc_status', 'kyc_reason'])
      .where('id', '=', operatorId)
      .executeTakeFirst()
    if (!op) throw notFound('Operator')
    const r =
      op.kyc_status === status
        ? { numUpdatedRows: 0n }
        : await tx
            .updateTable('operators')
            .set({ kyc_status: status, kyc_reason: reason })
            .where('id', '=', operatorId)
            .where('kyc_status', '=', op.kyc_status)
            .executeTakeFirst()
    if (r.numUpdatedRows === 0n) {
      throw (
        (await alreadyDecided(tx, operatorId, KYC_ACTIONS, `The KYC of ${operatorId}`)) ??
        new DomainError('CONFLICT', `The KYC of ${operatorId} is already ${status}; nothing was changed.`)
      )
    }
    await recordAudit(tx, {
      actor: `admin:${actor.id}`,
      action: `kyc.${input.decision.toLowerCase()}`,
      objectType: 'operator',
      objectId: operatorId,
      before: { kyc_status: op.kyc_status },
      after: { kyc_status: status },
      note: reason,
      at: now,
    })
    return { operator_id: operatorId, kyc_status: status, kyc_reason: reason }
  })
}
