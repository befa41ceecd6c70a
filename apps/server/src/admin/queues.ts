import { sql } from 'kysely'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'

/** A payout sent this long ago without an answer is "stuck" by default (10 minutes). */
export const STUCK_PAYOUT_AFTER_S = 600

const count = (n: { n: bigint | number | string }) => Number(n.n)

/**
 * `GET /admin/queues`: what waits for staff, for the console's navigation — each count over an
 * index on (status, …), so it stays cheap however much history there is.
 */
export async function queueCounts(ctx: Ctx) {
  const db = ctx.store.db
  const tasks = await db
    .selectFrom('tasks')
    .select(['status', sql<bigint>`count(*)`.as('n')])
    .where('status', 'in', ['MANUAL_REVIEW', 'DISPUTED'])
    .groupBy('status')
    .execute()
  const by = new Map(tasks.map((t) => [t.status, count(t)]))
  const kyc = await db
    .selectFrom('operators')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('kyc_status', '=', 'PENDING')
    .executeTakeFirstOrThrow()
  const stuck = await db
    .selectFrom('payouts')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('status', '=', 'PENDING_ONCHAIN')
    .where('send_attempted_at', '<=', iso(new Date(ctx.clock.now().getTime() - STUCK_PAYOUT_AFTER_S * 1000)))
    .executeTakeFirstOrThrow()
  return {
    manual_review: by.get('MANUAL_REVIEW') ?? 0,
    disputed: by.get('DISPUTED') ?? 0,
    kyc_pending: count(kyc),
    payouts_stuck: count(stuck),
  }
}

/** `GET /admin/payouts/stuck`: sent at least `older_than_s` ago with no recorded answer, oldest first. */
export async function listStuckPayouts(
  ctx: Ctx,
  input: { older_than_s: number; limit: number; offset: number },
) {
  const before = iso(new Date(ctx.clock.now().getTime() - input.older_than_s * 1000))
  const q = ctx.store.db
    .selectFrom('payouts')
    .where('status', '=', 'PENDING_ONCHAIN')
    .where('send_attempted_at', '<=', before)
  const total = await q.select(sql<bigint>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const rows = await q
    .selectAll()
    .orderBy('send_attempted_at')
    .orderBy('id')
    .limit(input.limit)
    .offset(input.offset)
    .execute()
  return { rows, total: count(total) }
}
