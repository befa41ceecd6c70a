import { sql } from 'kysely'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { TASK_STATUSES, TERMINAL_STATUSES } from '../domain/lifecycle.ts'
import { JOB_KINDS } from '../jobs/enqueue.ts'
import { family } from './exposition.ts'

/** Task statuses a task can still leave: the ones worth a gauge. */
const OPEN_STATUSES = TASK_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s))
/** Delivery statuses counted: a delivered one (`succeeded`) is history, not load. */
const UNFINISHED_DELIVERIES = ['pending', 'failed'] as const

/** The `table` label of `humcli_retention_pruned_rows_total`; `retention_totals` names are `<table>[.<status>]`. */
const PRUNED_TABLES = ['jobs', 'webhook_deliveries', 'outbox', 'idempotency_keys'] as const

const counts = (rows: { key: string; n: bigint | number | string }[]) =>
  new Map(rows.map((r) => [r.key, Number(r.n)]))

/**
 * Deliveries by open status, read from the partial index that holds only them (migration 0026).
 * The statuses are written into the SQL, not bound: SQLite uses a partial index only when it can
 * see that the query's terms match the index's.
 */
export const unfinishedDeliveries = (db: Ctx['store']['db']) =>
  db
    .selectFrom('webhook_deliveries')
    .select(['status as key', sql<bigint>`count(*)`.as('n')])
    .where(sql.ref('status'), 'in', sql`(${sql.join(UNFINISHED_DELIVERIES.map((s) => sql.lit(s)))})`)
    .groupBy('status')

/**
 * The figures of the store, for the whole deployment (every process sharing the database reports
 * the same numbers). Each query touches only open work through an index — never the finished
 * tasks, done jobs or delivered webhooks that grow without bound — so reading them stays cheap as
 * the history grows. `/metrics` and the console's health page (`GET /admin/health`) both read them.
 */
export async function readStoreFigures(ctx: Ctx) {
  const db = ctx.store.db
  const tasks = await db
    .selectFrom('tasks')
    .select(['status as key', sql<bigint>`count(*)`.as('n')])
    .where('status', 'in', OPEN_STATUSES)
    .groupBy('status')
    .execute()
  const jobs = await db
    .selectFrom('jobs')
    .select(['status', 'kind as key', sql<bigint>`count(*)`.as('n')])
    .where('status', 'in', ['queued', 'running', 'failed'])
    .groupBy(['status', 'kind'])
    .execute()
  // Queued and due now: the backlog the workers have not caught up with (timers set for later are not).
  const due = await db
    .selectFrom('jobs')
    .select(['kind as key', sql<bigint>`count(*)`.as('n')])
    .where('status', '=', 'queued')
    .where('run_at', '<=', iso(ctx.clock.now()))
    .groupBy('kind')
    .execute()
  const deliveries = await unfinishedDeliveries(db).execute()
  // Payouts held back by the hot wallet (short of USDC or gas, gas too dear): through `payouts_status`.
  const waiting = await db
    .selectFrom('payouts')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('status', '=', 'PENDING_ONCHAIN')
    .where('waiting_reason', 'is not', null)
    .executeTakeFirst()
  // A handful of rows, one per kind of pruned row (`retention.prune`, ADR 0025).
  const pruned = await db.selectFrom('retention_totals').select(['name as key', 'pruned as n']).execute()
  const jobCount = (status: string) => counts(jobs.filter((j) => j.status === status))
  return {
    pruned: counts(pruned),
    tasks: counts(tasks),
    jobsQueued: jobCount('queued'),
    jobsRunning: jobCount('running'),
    jobsFailed: jobCount('failed'),
    jobsDue: counts(due),
    deliveries: counts(deliveries),
    payoutsWaiting: Number(waiting?.n ?? 0),
  }
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)

/** The store's figures as Prometheus gauges. */
export async function readStoreGauges(ctx: Ctx): Promise<string> {
  const f = await readStoreFigures(ctx)
  const queued = f.jobsQueued
  const kinds = [...new Set([...JOB_KINDS, ...queued.keys()])].sort()
  return (
    family(
      'humcli_tasks',
      'gauge',
      'Tasks in each open status (COMPLETED and CANCELLED are final and not counted).',
      OPEN_STATUSES.map((status) => ({ labels: { status }, value: f.tasks.get(status) ?? 0 })),
    ) +
    family(
      'humcli_jobs_queued',
      'gauge',
      'Jobs waiting to run (due now or scheduled for later), by kind.',
      kinds.map((kind) => ({ labels: { kind }, value: queued.get(kind) ?? 0 })),
    ) +
    family(
      'humcli_jobs_due',
      'gauge',
      'Queued jobs whose time has come and that no worker has claimed yet.',
      [{ value: sum(f.jobsDue) }],
    ) +
    family('humcli_jobs_running', 'gauge', 'Jobs claimed by a worker and not finished.', [
      { value: sum(f.jobsRunning) },
    ]) +
    // Failed jobs still kept plus those pruned since, so the counter never goes down.
    family('humcli_jobs_failed_total', 'counter', 'Jobs that failed every attempt and were given up.', [
      { value: sum(f.jobsFailed) + (f.pruned.get('jobs.failed') ?? 0) },
    ]) +
    family(
      'humcli_retention_pruned_rows_total',
      'counter',
      'Rows deleted by the retention job past their retention period, by table.',
      PRUNED_TABLES.map((table) => ({
        labels: { table },
        value: [...f.pruned].filter(([k]) => k.split('.')[0] === table).reduce((a, [, n]) => a + n, 0),
      })),
    ) +
    family(
      'humcli_webhook_deliveries',
      'gauge',
      'Webhook deliveries not yet delivered: pending (waiting for an attempt or a retry) or failed (given up).',
      UNFINISHED_DELIVERIES.map((status) => ({ labels: { status }, value: f.deliveries.get(status) ?? 0 })),
    ) +
    family(
      'humcli_payouts_waiting',
      'gauge',
      'Payouts held back because the hot wallet is short of USDC or gas (or gas is above the cap); they go out once it is funded.',
      [{ value: f.payoutsWaiting }],
    )
  )
}
