import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { operatorRating } from '../operators/load.ts'

/**
 * `GET /admin/operators?kyc_status=`: operators, the KYC queue's order — oldest submission first
 * (an operator who never uploaded counts from registration).
 */
export async function listOperatorsForAdmin(
  ctx: Ctx,
  input: { kyc_status?: string; limit: number; offset: number },
) {
  const db = ctx.store.db
  let q = db.selectFrom('operators').where('id', '!=', 'op_sandbox')
  if (input.kyc_status) q = q.where('kyc_status', '=', input.kyc_status)
  const total = await q.select(sql<bigint>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const rows = await q
    .select([
      'id',
      'name',
      'email',
      'city',
      'country',
      'kyc_status',
      'kyc_reason',
      'kyc_submitted_at',
      'created_at',
    ])
    .orderBy(sql`coalesce(kyc_submitted_at, created_at)`)
    .orderBy('id')
    .limit(input.limit)
    .offset(input.offset)
    .execute()
  const data: Record<string, unknown>[] = []
  for (const r of rows) {
    data.push({
      operator_id: r.id,
      name: r.name,
      email: r.email,
      location: { city: r.city, country: r.country },
      kyc_status: r.kyc_status,
      kyc_reason: r.kyc_reason,
      kyc_submitted_at: r.kyc_submitted_at,
      rating: await operatorRating(db, r.id),
      created_at: r.created_at,
    })
  }
  return { data, pagination: { limit: input.limit, offset: input.offset, total: Number(total.n) } }
}
