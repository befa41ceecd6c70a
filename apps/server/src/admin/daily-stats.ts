import { type RawBuilder, sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { microsToUsd } from '../domain/money.ts'
import type { DialectName } from '../store/db.ts'

const MAX_DAYS = 366
const DAY_MS = 86_400_000

/** Seconds from creation to completion, in SQL of each dialect (timestamps are ISO-8601 text). */
function completionSeconds(dialect: DialectName): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`extract(epoch from (completed_at::timestamptz - created_at::timestamptz))`
    : sql<number>`(julianday(completed_at) - julianday(created_at)) * 86400.0`
}

function days(from: string, to: string): string[] {
  const start = Date.parse(`${from}T00:00:00Z`)
  const end = Date.parse(`${to}T00:00:00Z`)
  if (!(end >= start))
    throw new DomainError('VALIDATION_FAILED', '`to` must be the same day as `from` or later.')
  const n = (end - start) / DAY_MS + 1
  if (n > MAX_DAYS) throw new DomainError('VALIDATION_FAILED', `Ask for at most ${MAX_DAYS} days at a time.`)
  return Array.from({ length: n }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10))
}

const num = (v: unknown) => Number(v ?? 0)

/**
 * `GET /admin/stats/daily?from=&to=`: per UTC day, tasks created and completed, money escrowed,
 * released to operators, refunded to agents, fee revenue, the Guardian's decisions and the
 * median time from creation to completion. Each figure is one grouped query over a range of an
 * index on its timestamp (migration 0016), so the cost follows the rows in the range, not the
 * size of the history (bench: `apps/server/bench/daily-stats.ts`).
 */
export async function dailyStats(ctx: Ctx, input: { from: string; to: string }) {
  const list = days(input.from, input.to)
  const lo = `${list[0]}T00:00:00.000Z`
  const hi = new Date(Date.parse(`${list.at(-1)}T00:00:00Z`) + DAY_MS).toISOString()
  const db = ctx.store.db
  const day = (col: string) => sql<string>`substr(${sql.ref(col)}, 1, 10)`
  const created = await db
    .selectFrom('tasks')
    .select([day('created_at').as('day'), sql<bigint>`count(*)`.as('n')])
    .where('created_at', '>=', lo)
    .where('created_at', '<', hi)
    .groupBy(day('created_at'))
    .execute()
  const completed = await db
    .selectFrom('tasks')
    .select([day('completed_at').as('day'), sql<bigint>`count(*)`.as('n')])
    .where('completed_at', '>=', lo)
    .where('completed_at', '<', hi)
    .groupBy(day('completed_at'))
    .execute()
  const median = await medianCompletion(ctx, lo, hi)
  const money = await moneyByDay(ctx, lo, hi)
  const guardian = await db
    .selectFrom('task_transitions')
    .select([day('at').as('day'), 'to_status', sql<bigint>`count(*)`.as('n')])
    .where('at', '>=', lo)
    .where('at', '<', hi)
    .where('actor', '=', 'system:guardian')
    .where('from_status', '=', 'SUBMITTED')
    .groupBy([day('at'), 'to_status'])
    .execute()
  const per = (rows: { day: string; n: unknown }[]) => new Map(rows.map((r) => [r.day, num(r.n)]))
  const c = per(created)
  const d = per(completed)
  const g = (dayKey: string, status: string) =>
    num(guardian.find((r) => r.day === dayKey && r.to_status === status)?.n)
  return {
    from: list[0],
    to: list.at(-1),
    data: list.map((k) => {
      const m = money.get(k)
      return {
        day: k,
        tasks_created: c.get(k) ?? 0,
        tasks_completed: d.get(k) ?? 0,
        escrowed_usd: microsToUsd(m?.escrowed ?? 0n),
        released_usd: microsToUsd(m?.released ?? 0n),
        refunded_usd: microsToUsd(m?.refunded ?? 0n),
        fee_revenue_usd: microsToUsd(m?.fee ?? 0n),
        guardian_verified: g(k, 'VERIFIED'),
        guardian_manual_review: g(k, 'MANUAL_REVIEW'),
        guardian_resubmit: g(k, 'IN_PROGRESS'),
        median_completion_s: median.get(k) ?? null,
      }
    }),
  }
}

/** The median per day, with window functions (both dialects): the middle row, or the mean of the two middle rows. */
async function medianCompletion(ctx: Ctx, lo: string, hi: string): Promise<Map<string, number>> {
  const dur = completionSeconds(ctx.store.dialect)
  const rows = await sql<{ day: string; median: number }>`
    select day, avg(dur) as median from (
      select substr(completed_at, 1, 10) as day, ${dur} as dur,
        row_number() over (partition by substr(completed_at, 1, 10) order by ${dur}) as rn,
        count(*) over (partition by substr(completed_at, 1, 10)) as cnt
      from tasks where completed_at >= ${lo} and completed_at < ${hi}
    ) ranked
    where rn = (cnt + 1) / 2 or rn = (cnt + 2) / 2
    group by day`.execute(ctx.store.db)
  return new Map(rows.rows.map((r) => [r.day, Math.round(Number(r.median))]))
}

/** Money per day from the ledger: what went into escrow, to operators, back to agents, to the platform. */
async function moneyByDay(ctx: Ctx, lo: string, hi: string) {
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
    group by substr(t.created_at, 1, 10), t.kind, cls`.execute(ctx.store.db)
  const out = new Map<string, { escrowed: bigint; released: bigint; refunded: bigint; fee: bigint }>()
  for (const r of rows.rows) {
    const m = out.get(r.day) ?? { escrowed: 0n, released: 0n, refunded: 0n, fee: 0n }
    const v = BigInt(r.total)
    if (r.kind === 'escrow.hold' && r.cls === 'escrow') m.escrowed += v
    else if (r.cls === 'operator') m.released += v
    else if (r.cls === 'agent') m.refunded += v
    else if (r.cls === 'fee') m.fee += v
    out.set(r.day, m)
  }
  return out
}
