import { iso } from '../clock.ts'
import type { Tx } from '../store/schema.ts'

export interface AuditEntry {
  /** `admin:<token id>`, `staff:<user id>` or `cli`. */
  actor: string
  /** What was done, e.g. `task.review.approve`, `agent.tier`, `kyc.approve`. */
  action: string
  objectType: 'task' | 'agent' | 'operator' | 'payout' | 'staff_user'
  objectId: string
  before?: unknown
  after?: unknown
  note?: string | null
  at: Date
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v))

/**
 * Appends one line to the audit log in the caller's transaction, so the record exists exactly
 * when the action committed. The table refuses UPDATE and DELETE (migration 0016).
 */
export async function recordAudit(tx: Tx, e: AuditEntry): Promise<void> {
  await tx
    .insertInto('audit_log')
    .values({
      at: iso(e.at),
      actor: e.actor,
      action: e.action,
      object_type: e.objectType,
      object_id: e.objectId,
      before: json(e.before),
      after: json(e.after),
      note: e.note ?? null,
    })
    .execute()
}
