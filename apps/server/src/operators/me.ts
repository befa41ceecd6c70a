import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { loadOperator, operatorRating } from './load.ts'

export async function operatorMe(ctx: Ctx, operatorId: string) {
  const db = ctx.store.db
  const op = await loadOperator(db, operatorId)
  const counts = await db
    .selectFrom('tasks')
    .select(['status', sql<bigint>`count(*)`.as('n')])
    .where('operator_id', '=', operatorId)
    .groupBy('status')
    .execute()
  const byStatus = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]))
  return {
    operator_id: op.id,
    name: op.name,
    email: op.email,
    phone: op.phone,
    location: { city: op.city, country: op.country },
    skills: JSON.parse(op.skills) as string[],
    kyc_status: op.kyc_status,
    kyc_reason: op.kyc_reason,
    rating: await operatorRating(db, op.id),
    counts: {
      active: (byStatus.ESTIMATE_PENDING ?? 0) + (byStatus.ACCEPTED ?? 0) + (byStatus.IN_PROGRESS ?? 0),
      submitted: (byStatus.SUBMITTED ?? 0) + (byStatus.MANUAL_REVIEW ?? 0),
      completed: byStatus.COMPLETED ?? 0,
      releases: Number(op.releases),
    },
    created_at: op.created_at,
  }
}
