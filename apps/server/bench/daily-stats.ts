// The console's aggregate endpoints on a large history (issue 13, must-show 5): `dailyStats` and
// `queueCounts` over N tasks (default 1M, BENCH_TASKS), on SQLite and PostgreSQL.
// Run: node --conditions=source --import tsx apps/server/bench/daily-stats.ts
// The history is written with one INSERT … SELECT per table (not through the API): N tasks spread
// evenly over 100 days, 80 % completed 10–70 minutes after creation, each with its escrow hold
// (2 entries), the completed ones with their release (3 entries) and the Guardian's VERIFIED.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import pino from 'pino'
import { dailyStats } from '../src/admin/daily-stats.ts'
import { queueCounts } from '../src/admin/queues.ts'
import { ManualClock } from '../src/clock.ts'
import { loadConfig } from '../src/config.ts'
import type { Ctx } from '../src/context.ts'
import { openContext } from '../src/server.ts'
import { machine, PG_URL, withPgSchema } from './lib.ts'

const N = Number(process.env.BENCH_TASKS ?? 1_000_000)
const RUNS = 5
const SPAN_S = 100 * 86_400

type Dialect = 'sqlite' | 'postgres'
const perDay = (days: number) => ((N / 100) * days).toLocaleString('en')

/** SQL of a timestamp `seconds` after 2026-01-01 as ISO-8601 text, per dialect. */
const ts = (d: Dialect, seconds: string) =>
  d === 'sqlite'
    ? `strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (${seconds}) || ' seconds')`
    : `to_char(timestamp '2026-01-01' + (${seconds}) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

function seedStatements(d: Dialect): string[] {
  const series =
    d === 'sqlite'
      ? `with recursive n(i) as (select 0 union all select i + 1 from n where i < ${N - 1}) `
      : ''
  const from = d === 'sqlite' ? 'from n' : `from generate_series(0, ${N - 1}) as n(i)`
  const step = `(i * ${SPAN_S / N})`
  const created = ts(d, step)
  const done = ts(d, `${step} + 600 + (i % 3600)`)
  const id = d === 'sqlite' ? `printf('task_b%08d', i)` : `'task_b' || lpad(i::text, 8, '0')`
  const completed = 'i % 5 <> 0'
  return [
    `insert into agents (id, name, email, tier, created_at) values ('ag_bench', 'bench', 'bench@example.com', 'STANDARD', '2026-01-01T00:00:00.000Z')`,
    `insert into operators (id, name, email, skills, kyc_status, releases, created_at) values ('op_bench', 'bench', 'op-bench@example.com', '[]', 'APPROVED', 0, '2026-01-01T00:00:00.000Z')`,
    `insert into accounts (id, balance_micros, created_at) values ('agent:ag_bench:available', 0, '2026-01-01'), ('agent:ag_bench:escrow', 0, '2026-01-01'), ('operator:op_bench:pending', 0, '2026-01-01'), ('platform:revenue', 0, '2026-01-01') on conflict do nothing`,
    `${series}insert into tasks (id, agent_id, title, description, task_type, domain, reward_micros, fee_micros, escrow_micros, deadline, proof_requirements, location_radius_m, status, version, sandbox, operator_id, created_at, completed_at, updated_at)
     select ${id}, 'ag_bench', 't', 'd', 'PHOTO', 'PHYSICAL', 10000000, 1000000, 11000000, '2030-01-01T00:00:00.000Z', '[]', 200,
       case when ${completed} then 'COMPLETED' else 'PENDING' end, 1, 0, 'op_bench', ${created},
       case when ${completed} then ${done} else null end, ${created} ${from}`,
    `${series}insert into ledger_transactions (id, kind, task_id, memo, created_at) select 'ltx_h' || i, 'escrow.hold', ${id}, null, ${created} ${from}`,
    `${series}insert into ledger_transactions (id, kind, task_id, memo, created_at) select 'ltx_r' || i, 'escrow.release', ${id}, null, ${done} ${from} where ${completed}`,
    `insert into ledger_entries (transaction_id, account_id, amount_micros, created_at) select id, 'agent:ag_bench:escrow', 11000000, created_at from ledger_transactions where kind = 'escrow.hold'`,
    `insert into ledger_entries (transaction_id, account_id, amount_micros, created_at) select id, 'agent:ag_bench:available', -11000000, created_at from ledger_transactions where kind = 'escrow.hold'`,
    `insert into ledger_entries (transaction_id, account_id, amount_micros, created_at) select id, 'agent:ag_bench:escrow', -11000000, created_at from ledger_transactions where kind = 'escrow.release'`,
    `insert into ledger_entries (transaction_id, account_id, amount_micros, created_at) select id, 'operator:op_bench:pending', 10000000, created_at from ledger_transactions where kind = 'escrow.release'`,
    `insert into ledger_entries (transaction_id, account_id, amount_micros, created_at) select id, 'platform:revenue', 1000000, created_at from ledger_transactions where kind = 'escrow.release'`,
    `insert into task_transitions (task_id, from_status, to_status, actor, reason, at) select id, 'SUBMITTED', 'VERIFIED', 'system:guardian', null, completed_at from tasks where completed_at is not null`,
    d === 'sqlite' ? 'analyze' : 'analyze',
  ]
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    await fn()
    ms.push(performance.now() - t)
  }
  return ms.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!
}

async function measure(d: Dialect, ctx: Ctx): Promise<string[]> {
  const t0 = performance.now()
  for (const stmt of seedStatements(d)) await sql.raw(stmt).execute(ctx.store.db)
  const seedS = ((performance.now() - t0) / 1000).toFixed(0)
  const rows: [string, () => Promise<unknown>][] = [
    ['reference: select 1', () => sql`select 1`.execute(ctx.store.db)],
    ['queue counts (navigation)', () => queueCounts(ctx)],
    [
      `daily stats, 1 day (~${perDay(1)} tasks)`,
      () => dailyStats(ctx, { from: '2026-02-10', to: '2026-02-10' }),
    ],
    [
      `daily stats, 7 days (~${perDay(7)} tasks)`,
      () => dailyStats(ctx, { from: '2026-02-10', to: '2026-02-16' }),
    ],
    [
      `daily stats, 30 days (~${perDay(30)} tasks)`,
      () => dailyStats(ctx, { from: '2026-02-01', to: '2026-03-02' }),
    ],
  ]
  const out = [`| ${d} | seed of ${N.toLocaleString('en')} tasks | ${seedS} s |`]
  for (const [name, fn] of rows) out.push(`| ${d} | ${name} | ${(await time(fn)).toFixed(1)} ms |`)
  return out
}

async function run(d: Dialect, schema: string | null): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-bench-stats-'))
  const config = loadConfig(
    {},
    {
      dataDir: dir,
      databaseUrl: d === 'sqlite' ? `sqlite:${path.join(dir, 'bench.sqlite')}` : PG_URL,
      databaseSchema: schema,
      logLevel: 'silent',
      workers: false,
    },
  )
  const ctx = await openContext(config, {
    clock: new ManualClock('2026-03-05T00:00:00Z'),
    log: pino({ level: 'silent' }),
  })
  try {
    return await measure(d, ctx)
  } finally {
    await ctx.store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const lines = ['| dialect | row | median of 5 |', '|---|---|---|', ...(await run('sqlite', null))]
if (!process.env.BENCH_SKIP_PG) lines.push(...(await withPgSchema((schema) => run('postgres', schema))))
const report = `# Console aggregates on ${N.toLocaleString('en')} tasks\n\n${machine()}\n\n${lines.join('\n')}\n`
fs.mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true })
fs.writeFileSync(path.join(import.meta.dirname, 'results', 'daily-stats.md'), report)
process.stdout.write(report)
