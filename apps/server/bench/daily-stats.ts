// The console's daily figures on a large history (issue 13, must-show 5; ADR 0023):
// `GET /admin/stats/daily` over real HTTP for 1, 30 and 365 days, with `GET /healthz` as the
// reference row of the same run, on SQLite and PostgreSQL.
// Run: npm run bench:stats   (BENCH_TASKS=1000000 for 1M; BENCH_SKIP_PG=1 for SQLite only)
// The history is written with one INSERT … SELECT per table (not through the API), the rows the
// create path writes (the task, its creation transition, the escrow hold with its two entries,
// the task counters)
// and those of its end: N tasks spread evenly over the 365½ days before the bench's clock
// (2027-01-01 12:00 UTC), 80 % completed by the Guardian 10–70 minutes after creation (release:
// three entries), 10 % cancelled with a refund, 10 % left open. Then migration 0020's backfill
// (`foldDailyStats`) is timed, and the requests measured.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import pino from 'pino'
import { createAdminToken } from '../src/admin/admin-tokens.ts'
import { foldDailyStats } from '../src/admin/daily-stats.ts'
import { ManualClock } from '../src/clock.ts'
import { loadConfig } from '../src/config.ts'
import type { Ctx } from '../src/context.ts'
import { buildApp } from '../src/http/app.ts'
import { openContext } from '../src/server.ts'
import { machine, PG_URL, withPgSchema } from './lib.ts'

const N = Number(process.env.BENCH_TASKS ?? 100_000)
const RUNS = Number(process.env.BENCH_RUNS ?? 9)
const NOW = '2027-01-01T12:00:00.000Z'
const START = '2026-01-01'
// The last task is created two hours before the clock, so every completion is in the past.
const SPAN_S = 365.5 * 86_400 - 2 * 3600

type Dialect = 'sqlite' | 'postgres'

/** SQL of a timestamp `seconds` after 2026-01-01 as ISO-8601 text, per dialect. */
const ts = (d: Dialect, seconds: string) =>
  d === 'sqlite'
    ? `strftime('%Y-%m-%dT%H:%M:%fZ', '${START}', '+' || (${seconds}) || ' seconds')`
    : `to_char(timestamp '${START}' + (${seconds}) * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

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
  const completed = 'i % 10 >= 2'
  const cancelled = 'i % 10 = 1'
  const status = `case when ${completed} then 'COMPLETED' when ${cancelled} then 'CANCELLED' else 'PENDING' end`
  const entries = (kind: string, account: string, amount: number) =>
    `insert into ledger_entries (transaction_id, account_id, amount_micros, created_at) select id, '${account}', ${amount}, created_at from ledger_transactions where kind = '${kind}'`
  return [
    `insert into agents (id, name, email, tier, created_at) values ('ag_bench', 'bench', 'bench@example.com', 'STANDARD', '${START}T00:00:00.000Z')`,
    `insert into operators (id, name, email, skills, kyc_status, releases, created_at) values ('op_bench', 'bench', 'op-bench@example.com', '[]', 'APPROVED', 0, '${START}T00:00:00.000Z')`,
    `insert into accounts (id, balance_micros, created_at) values ('agent:ag_bench:available', 0, '${START}'), ('agent:ag_bench:escrow', 0, '${START}'), ('operator:op_bench:pending', 0, '${START}'), ('platform:revenue', 0, '${START}') on conflict do nothing`,
    `${series}insert into tasks (id, agent_id, title, description, task_type, domain, reward_micros, fee_micros, escrow_micros, deadline, proof_requirements, location_radius_m, status, version, sandbox, operator_id, created_at, completed_at, updated_at)
     select ${id}, 'ag_bench', 't', 'd', 'PHOTO', 'PHYSICAL', 10000000, 1000000, 11000000, '2030-01-01T00:00:00.000Z', '[]', 200,
       ${status}, 1, 0, case when ${completed} then 'op_bench' else null end, ${created},
       case when ${completed} then ${done} else null end, ${created} ${from}`,
    `${series}insert into task_transitions (task_id, from_status, to_status, actor, reason, at) select ${id}, null, 'PENDING', 'agent:ag_bench', null, ${created} ${from}`,
    `${series}insert into ledger_transactions (id, kind, task_id, memo, created_at) select 'ltx_h' || i, 'escrow.hold', ${id}, null, ${created} ${from}`,
    `${series}insert into ledger_transactions (id, kind, task_id, memo, created_at) select 'ltx_r' || i, 'escrow.release', ${id}, null, ${done} ${from} where ${completed}`,
    `${series}insert into ledger_transactions (id, kind, task_id, memo, created_at) select 'ltx_c' || i, 'escrow.refund', ${id}, null, ${done} ${from} where ${cancelled}`,
    entries('escrow.hold', 'agent:ag_bench:escrow', 11000000),
    entries('escrow.hold', 'agent:ag_bench:available', -11000000),
    entries('escrow.release', 'agent:ag_bench:escrow', -11000000),
    entries('escrow.release', 'operator:op_bench:pending', 10000000),
    entries('escrow.release', 'platform:revenue', 1000000),
    entries('escrow.refund', 'agent:ag_bench:escrow', -11000000),
    entries('escrow.refund', 'agent:ag_bench:available', 11000000),
    `insert into task_transitions (task_id, from_status, to_status, actor, reason, at) select id, 'SUBMITTED', 'VERIFIED', 'system:guardian', null, completed_at from tasks where completed_at is not null`,
    `insert into task_transitions (task_id, from_status, to_status, actor, reason, at) select task_id, 'PENDING', 'CANCELLED', 'agent:ag_bench', null, created_at from ledger_transactions where kind = 'escrow.refund'`,
    // The per-agent and market counters the create path keeps (migration 0018).
    `insert into task_counts (scope, status, task_type, n) select agent_id, status, task_type, count(*) from tasks group by agent_id, status, task_type`,
    `insert into task_counts (scope, status, task_type, n) select 'market:0', status, task_type, count(*) from tasks where status = 'PENDING' and sandbox = 0 group by status, task_type`,
    'analyze',
  ]
}

async function time(fn: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  await fn() // warm-up, not recorded
  const ms: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    await fn()
    ms.push(performance.now() - t)
  }
  ms.sort((a, b) => a - b)
  return { median: ms[Math.floor(RUNS / 2)]!, max: ms.at(-1)! }
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')

async function measure(d: Dialect, ctx: Ctx): Promise<string[]> {
  const out: string[] = []
  const row = (name: string, value: string) => out.push(`| ${d} | ${name} | ${value} |`)
  let t0 = performance.now()
  for (const stmt of seedStatements(d)) await sql.raw(stmt).execute(ctx.store.db)
  row(
    `seed of ${N.toLocaleString('en')} tasks over 365 days (SQL)`,
    `${((performance.now() - t0) / 1000).toFixed(0)} s`,
  )
  t0 = performance.now()
  await foldDailyStats(ctx.store.db as never, d, ctx.clock.now())
  const folded = await ctx.store.db
    .selectFrom('daily_stats')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow()
  row(
    `backfill of migration 0020 (${Number(folded.n)} closed days, once)`,
    `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  )
  const app = await buildApp(ctx)
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  try {
    const { token } = await createAdminToken(ctx, 'bench')
    const get = async (p: string) => {
      const r = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${token}` } })
      if (r.status !== 200) throw new Error(`${p}: ${r.status} ${await r.text()}`)
      return r.json()
    }
    const today = NOW.slice(0, 10)
    const back = (n: number) => new Date(Date.parse(NOW) - (n - 1) * 86_400_000).toISOString().slice(0, 10)
    const perDay = Math.round(N / 365.5).toLocaleString('en')
    const rows: [string, string][] = [
      ['reference: GET /healthz', '/healthz'],
      [
        `GET /admin/stats/daily, today only (live, ~${perDay} tasks)`,
        `/api/v1/admin/stats/daily?from=${today}&to=${today}`,
      ],
      ['GET /admin/stats/daily, 30 days', `/api/v1/admin/stats/daily?from=${back(30)}&to=${today}`],
      ['GET /admin/stats/daily, 365 days', `/api/v1/admin/stats/daily?from=${back(365)}&to=${today}`],
    ]
    for (const [name, p] of rows) {
      const t = await time(() => get(p))
      row(name, `${t.median.toFixed(1)} ms (max ${t.max.toFixed(1)})`)
    }
    // The figures are real: the 365-day answer holds every task created in that window.
    const year = (await get(rows[3]![1])) as { data: { tasks_created: number }[] }
    const total = year.data.reduce((a, x) => a + x.tasks_created, 0)
    if (total < N * 0.99) throw new Error(`365 days hold ${total} tasks, expected about ${N}`)
  } finally {
    await app.close()
  }
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
      rateLimitPerMinute: 1_000_000,
    },
  )
  const ctx = await openContext(config, { clock: new ManualClock(NOW), log: pino({ level: 'silent' }) })
  try {
    return await measure(d, ctx)
  } finally {
    await ctx.store.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const loadBefore = load()
const lines = ['| dialect | row | median of ' + RUNS + ' |', '|---|---|---|', ...(await run('sqlite', null))]
if (!process.env.BENCH_SKIP_PG) lines.push(...(await withPgSchema((schema) => run('postgres', schema))))
const report =
  `# Console daily figures on ${N.toLocaleString('en')} tasks (ADR 0023)\n\n` +
  `\`npm run bench:stats\` (BENCH_TASKS=${N}), ${new Date().toISOString().slice(0, 16)} UTC. ${machine()}.\n` +
  `Load average (1, 5, 15 min; \`uptime\`): ${loadBefore} at the start, ${load()} at the end — the VM ` +
  `is shared with other test runs, so read the rows against the reference row of the same run.\n\n` +
  `${lines.join('\n')}\n`
fs.mkdirSync(path.join(import.meta.dirname, 'results'), { recursive: true })
const file = N === 1_000_000 ? 'daily-stats.md' : `daily-stats-${N}.md`
fs.writeFileSync(path.join(import.meta.dirname, 'results', file), report)
process.stdout.write(report)
