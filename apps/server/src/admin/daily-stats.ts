import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { microsToUsd } from '../domain/money.ts'
import type { DialectName } from '../store/db.ts'
import type { DailyStatsTable, Database, Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'

const MAX_DAYS = 366
const DAY_MS = 86_400_000
/**
 * A day is folded only once it has been over this long: every figure is stamped with the `now` of
 * the transaction that wrote it, and a transaction that began before midnight may commit a little
 * after it. Requests and jobs take milliseconds; ten minutes is far beyond any of them.
 */
export const FOLD_GRACE_MS = 10 * 60_000

/** One UTC day's figures, money in micro-dollars. */
export interface DayFigures {
  tasks_created: number
  tasks_completed: number
  escrowed: bigint
  released: bigint
  refunded: bigint
  fee: bigint
  guardian_verified: number
  guardian_manual_review: number
  guardian_resubmit: number
  median_completion_s: number | null
}

const ZERO: DayFigures = {
  tasks_created: 0,
  tasks_completed: 0,
  escrowed: 0n,
  released: 0n,
  refunded: 0n,
  fee: 0n,
  guardian_verified: 0,
  guardian_manual_review: 0,
  guardian_resubmit: 0,
  median_completion_s: null,
}

/** Seconds from creation to completion, in SQL of each dialect (timestamps are ISO-8601 text). */
function completionSeconds(dialect: DialectName): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`extract(epoch from (completed_at::timestamptz - created_at::timestamptz))`
    : sql<number>`(julianday(completed_at) - julianday(created_at)) * 86400.0`
}

const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`)

/** Every day from `from` to `to`, both included. */
function daysBetween(from: string, to: string): string[] {
  const start = dayStart(from)
  const n = (dayStart(to) - start) / DAY_MS + 1
  return Array.from({ length: Math.max(0, n) }, (_, i) => dayKey(start + i * DAY_MS))
}

function askedDays(from: string, to: string): string[] {
  if (!(dayStart(to) >= dayStart(from)))
    throw new DomainError('VALIDATION_FAILED', '`to` must be the same day as `from` or later.')
  const list = daysBetween(from, to)
  if (list.length > MAX_DAYS)
    throw new DomainError('VALIDATION_FAILED', `Ask for at most ${MAX_DAYS} days at a time.`)
  return list
}

/** The last UTC day whose figures can no longer change at `now` (over for `FOLD_GRACE_MS`). */
export function lastClosedDay(now: Date): string {
  return dayKey(now.getTime() - FOLD_GRACE_MS - DAY_MS)
}

const num = (v: unknown) => Number(v ?? 0)

/**
 * `GET /admin/stats/daily?from=&to=`: per UTC day, tasks created and completed, money escrowed,
 * released to operators, refunded to agents, fee revenue, the Guardian's decisions and the
 * median time from creation to completion (ADR 0023). Closed days are read from `daily_stats`,
 * one row each; a closed day not folded yet is computed from the raw tables once and stored;
 * only today (and any later day asked for) is computed from the raw tables on every request.
 * The cost is one indexed range of at most 366 rollup rows plus one day of raw rows, whatever
 * the size of the history (bench: `apps/server/bench/daily-stats.ts`).
 */
export async function dailyStats(ctx: Ctx, input: { from: string; to: string }) {
  const list = askedDays(input.from, input.to)
  const now = ctx.clock.now()
  const closed = lastClosedDay(now)
  const stored = await ctx.store.db
    .selectFrom('daily_stats')
    .selectAll()
    .where('day', '>=', list[0]!)
    .where('day', '<=', list.at(-1)!)
    .execute()
  const byDay = new Map<string, DayFigures>(stored.map((r) => [r.day, fromRow(r)]))
  for (const run of runs(list.filter((d) => !byDay.has(d)))) {
    const live = await computeDays(ctx.store.db, ctx.store.dialect, run[0]!, run.at(-1)!)
    for (const d of run) byDay.set(d, live.get(d) ?? ZERO)
    const fold = run.filter((d) => d <= closed)
    if (fold.length > 0) {
      await withTx(ctx.store, (tx) =>
        storeFolded(
          tx,
          fold.map((d) => [d, byDay.get(d)!] as const),
          now,
        ),
      )
    }
  }
  return {
    from: list[0]!,
    to: list.at(-1)!,
    data: list.map((k) => {
      const m = byDay.get(k) ?? ZERO
      return {
        day: k,
        tasks_created: m.tasks_created,
        tasks_completed: m.tasks_completed,
        escrowed_usd: microsToUsd(m.escrowed),
        released_usd: microsToUsd(m.released),
        refunded_usd: microsToUsd(m.refunded),
        fee_revenue_usd: microsToUsd(m.fee),
        guardian_verified: m.guardian_verified,
        guardian_manual_review: m.guardian_manual_review,
        guardian_resubmit: m.guardian_resubmit,
        median_completion_s: m.median_completion_s,
      }
    }),
  }
}

/** Consecutive days grouped into runs, so each run is one set of range queries. */
function runs(sorted: string[]): string[][] {
  const out: string[][] = []
  for (const d of sorted) {
    const last = out.at(-1)
    if (last && dayStart(d) - dayStart(last.at(-1)!) === DAY_MS) last.push(d)
    else out.push([d])
  }
  return out
}

function fromRow(r: DailyStatsTable): DayFigures {
  return {
    tasks_created: num(r.tasks_created),
    tasks_completed: num(r.tasks_completed),
    escrowed: BigInt(r.escrowed_micros),
    released: BigInt(r.released_micros),
    refunded: BigInt(r.refunded_micros),
    fee: BigInt(r.fee_micros),
    guardian_verified: num(r.guardian_verified),
    guardian_manual_review: num(r.guardian_manual_review),
    guardian_resubmit: num(r.guardian_resubmit),
    median_completion_s: r.median_completion_s === null ? null : num(r.median_completion_s),
  }
}

/** Writes closed days; a day another process folded first is left as it is (same figures). */
async function storeFolded(tx: Tx, days: (readonly [string, DayFigures])[], now: Date): Promise<void> {
  const at = now.toISOString()
  for (let i = 0; i < days.length; i += 200) {
    await tx
      .insertInto('daily_stats')
      .values(
        days.slice(i, i + 200).map(([day, m]) => ({
          day,
          tasks_created: BigInt(m.tasks_created),
          tasks_completed: BigInt(m.tasks_completed),
          escrowed_micros: m.escrowed,
          released_micros: m.released,
          refunded_micros: m.refunded,
          fee_micros: m.fee,
          guardian_verified: BigInt(m.guardian_verified),
          guardian_manual_review: BigInt(m.guardian_manual_review),
          guardian_resubmit: BigInt(m.guardian_resubmit),
          median_completion_s: m.median_completion_s === null ? null : BigInt(m.median_completion_s),
          folded_at: at,
        })),
      )
      .onConflict((oc) => oc.column('day').doNothing())
      .execute()
  }
}

/**
 * The backfill of migration 0020: every closed day from the first task's to the last closed one,
 * computed from the raw tables in one pass and stored (days without activity too, as zeros).
 */
export async function foldDailyStats(db: Kysely<unknown>, dialect: DialectName, now: Date): Promise<void> {
  const d = db as unknown as Kysely<Database>
  const first = await d
    .selectFrom('tasks')
    .select(sql<string | null>`min(substr(created_at, 1, 10))`.as('at'))
    .executeTakeFirst()
  if (!first?.at) return
  const from = first.at.slice(0, 10)
  const to = lastClosedDay(now)
  if (to < from) return
  const figures = await computeDays(d, dialect, from, to)
  await storeFolded(
    d,
    daysBetween(from, to).map((day) => [day, figures.get(day) ?? ZERO] as const),
    now,
  )
}

/**
 * The figures of the days from `from` to `to` from the raw tables: one grouped query per figure
 * over a range of an index on its timestamp (migration 0016), `substr(ts, 1, 10)` as the UTC day
 * (tasks created: an index on that day, migration 0027). Days without activity are absent from
 * the map.
 */
export async function computeDays(
  db: Tx,
  dialect: DialectName,
  from: string,
  to: string,
): Promise<Map<string, DayFigures>> {
  const lo = `${from}T00:00:00.000Z`
  const hi = new Date(dayStart(to) + DAY_MS).toISOString()
  const day = (col: string) => sql<string>`substr(${sql.ref(col)}, 1, 10)`
  const out = new Map<string, DayFigures>()
  const at = (k: string) => {
    let m = out.get(k)
    if (!m) {
      m = { ...ZERO }
      out.set(k, m)
    }
    return m
  }
  const created = await db
    .selectFrom('tasks')
    .select([day('created_at').as('day'), sql<bigint>`count(*)`.as('n')])
    .where(day('created_at'), '>=', from)
    .where(day('created_at'), '<=', to)
    .groupBy(day('created_at'))
    .execute()
  for (const r of created) at(r.day).tasks_created = num(r.n)
  const completed = await db
    .selectFrom('tasks')
    .select([day('completed_at').as('day'), sql<bigint>`count(*)`.as('n')])
    .where('completed_at', '>=', lo)
    .where('completed_at', '<', hi)
    .groupBy(day('completed_at'))
    .execute()
  for (const r of completed) at(r.day).tasks_completed = num(r.n)
  for (const [k, median] of await medianCompletion(db, dialect, lo, hi)) at(k).median_completion_s = median
  await moneyByDay(db, lo, hi, at)
  const guardian = await db
    .selectFrom('task_transitions')
    .select([day('at').as('day'), 'to_status', sql<bigint>`count(*)`.as('n')])
    .where('at', '>=', lo)
    .where('at', '<', hi)
    .where('actor', '=', 'system:guardian')
    .where('from_status', '=', 'SUBMITTED')
    .groupBy([day('at'), 'to_status'])
    .execute()
  for (const r of guardian) {
    const m = at(r.day)
    if (r.to_status === 'VERIFIED') m.guardian_verified = num(r.n)
    else if (r.to_status === 'MANUAL_REVIEW') m.guardian_manual_review = num(r.n)
    else if (r.to_status === 'IN_PROGRESS') m.guardian_resubmit = num(r.n)
  }
  return out
}

/** The exact median per day, with window functions (both dialects): the middle row, or the mean of the two middle rows. */
async function medianCompletion(
  db: Tx,
  dialect: DialectName,
  lo: string,
  hi: string,
): Promise<Map<string, number>> {
  const dur = completionSeconds(dialect)
  const rows = await sql<{ day: string; median: number }>`
    select day, avg(dur) as median from (
      select substr(completed_at, 1, 10) as day, ${dur} as dur,
        row_number() over (partition by substr(completed_at, 1, 10) order by ${dur}) as rn,
        count(*) over (partition by substr(completed_at, 1, 10)) as cnt
      from tasks where completed_at >= ${lo} and completed_at < ${hi}
    ) ranked
    where rn = (cnt + 1) / 2 or rn = (cnt + 2) / 2
    group by day`.execute(db)
  return new Map(rows.rows.map((r) => [r.day, Math.round(Number(r.median))]))
}

/** Money per day from the ledger: what went into escrow, to operators, back to agents, to the platform. */
async function moneyByDay(db: Tx, lo: string, hi: string, at: (day: string) => DayFigures): Promise<void> {
  const rows = await sql<{ day: string; kind: string; cls: string; total: bigint | string }>`
    select substr(t.created_at, 1, 10) as day, t.kind,
      case when e.account_id = 'platform:revenue' then 'fee'
           when e.account_id like 'operator:%:pending' then 'operator'
           when e.account_id like 'agent:%:escrow' then 'escrow'
           when e.account_id like 'agent:%:available' then 'agent'
           else 'other' end as cls,
      cast(sum(e.amount_micros) as bigint) as total
    from ledger_transactions t join ledger_entries e on e.transaction_id = t.id
    where t.created_at >= ${lo} and t.created_at < ${hi}
      and t.kind in ('escrow.hold', 'escrow.release', 'escrow.split', 'escrow.refund')
      and e.amount_micros > 0
    group by substr(t.created_at, 1, 10), t.kind, cls`.execute(db)
  for (const r of rows.rows) {
    const m = at(r.day)
    const v = BigInt(r.total)
    if (r.kind === 'escrow.hold' && r.cls === 'escrow') m.escrowed += v
    else if (r.cls === 'operator') m.released += v
    else if (r.cls === 'agent') m.refunded += v
    else if (r.cls === 'fee') m.fee += v
  }
}
