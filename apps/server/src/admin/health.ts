import { sql } from 'kysely'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { ledgerCheck } from '../ledger/check.ts'
import { readStoreFigures } from '../metrics/read-store-gauges.ts'
import { chainHealth } from './chain-health.ts'

const DAY_MS = 24 * 3_600_000
const obj = (m: Map<string, number>) => Object.fromEntries([...m].sort())

/**
 * `GET /admin/health`: the ledger check, the figures `/metrics` reads (open tasks, job backlog by
 * kind, unfinished deliveries), webhook endpoints that are failing or disabled, and the
 * Guardian's decisions of the last 24 hours, payouts held back by the hot wallet, and the chain
 * (`chainHealth`: null on the development chain).
 */
export async function adminHealth(ctx: Ctx) {
  const db = ctx.store.db
  const now = ctx.clock.now()
  const figures = await readStoreFigures(ctx)
  const failing = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'agent_id', 'url', 'failing_since', 'disabled_at', 'disabled_reason'])
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('failing_since', 'is not', null), eb('disabled_at', 'is not', null)]))
    .orderBy('failing_since')
    .limit(100)
    .execute()
  const guardian = await db
    .selectFrom('task_transitions')
    .select(['to_status', sql<bigint>`count(*)`.as('n')])
    .where('at', '>=', iso(new Date(now.getTime() - DAY_MS)))
    .where('actor', '=', 'system:guardian')
    .where('from_status', '=', 'SUBMITTED')
    .groupBy('to_status')
    .execute()
  return {
    ledger: await ledgerCheck(db),
    open_tasks: obj(figures.tasks),
    jobs_due_by_kind: obj(figures.jobsDue),
    jobs_running: obj(figures.jobsRunning),
    jobs_failed: obj(figures.jobsFailed),
    webhook_deliveries_unfinished: obj(figures.deliveries),
    failing_webhook_endpoints: failing,
    guardian_last_24h: Object.fromEntries(guardian.map((g) => [g.to_status, Number(g.n)])),
    payouts_waiting: figures.payoutsWaiting,
    chain: await chainHealth(ctx),
    at: iso(now),
  }
}
