// What /metrics costs: the per-request hook (HttpMetrics.observe) and a scrape against a SQLite
// database holding a long history (finished tasks, done jobs, delivered webhooks) and a little open
// work. Run: node --import tsx bench/metrics.ts   (BENCH_HISTORY=200000 rows per table by default)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import pino from 'pino'
import { loadConfig } from '../src/config.ts'
import { buildApp } from '../src/http/app.ts'
import { HttpMetrics } from '../src/metrics/http-metrics.ts'
import { readStoreGauges } from '../src/metrics/read-store-gauges.ts'
import { openContext } from '../src/server.ts'
import { machine } from './lib.ts'

const HISTORY = Number(process.env.BENCH_HISTORY ?? 200_000)
const OPEN = 1_000

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function observeCost(): number {
  const m = new HttpMetrics()
  const routes = Array.from({ length: 20 }, (_, i) => `/api/v1/route${i}/:id`)
  const runs: number[] = []
  for (let r = 0; r < 5; r++) {
    const n = 1_000_000
    const t = process.hrtime.bigint()
    for (let i = 0; i < n; i++)
      m.observe(i % 7 ? 'GET' : 'POST', routes[i % 20]!, i % 13 ? 200 : 404, (i % 500) / 1000)
    runs.push(Number(process.hrtime.bigint() - t) / n)
  }
  return median(runs)
}

/** Fills a table with `n` copies of a row in which every NOT NULL column has a placeholder. */
async function fill(
  db: import('kysely').Kysely<any>,
  table: string,
  n: number,
  values: (i: number) => Record<string, string | number>,
) {
  const cols = (
    await sql<{
      name: string
      type: string
      notnull: number
      pk: number
    }>`select * from pragma_table_info(${table})`.execute(db)
  ).rows
  const batch = 500
  for (let start = 0; start < n; start += batch) {
    const rows = []
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const given = values(i)
      const row: Record<string, string | number | null> = {}
      for (const c of cols) {
        if (c.name in given) row[c.name] = given[c.name]!
        else if (c.pk && /int/i.test(c.type)) continue
        else row[c.name] = c.notnull ? (/int/i.test(c.type) ? 0 : 'x') : null
      }
      rows.push(row)
    }
    await db.insertInto(table).values(rows).execute()
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-bench-metrics-'))
  const ctx = await openContext(
    loadConfig(
      {},
      {
        dataDir: dir,
        databaseUrl: `sqlite:${path.join(dir, 'b.sqlite')}`,
        logLevel: 'silent',
        rateLimitPerMinute: 0,
      },
    ),
    {
      log: pino({ level: 'silent' }),
    },
  )
  const db = ctx.store.db as unknown as import('kysely').Kysely<any>
  await sql`pragma foreign_keys = off`.execute(db)
  const now = new Date().toISOString()
  const open = ['PENDING', 'ACCEPTED', 'IN_PROGRESS', 'SUBMITTED']
  await fill(db, 'tasks', HISTORY + OPEN, (i) => ({
    id: `task_${i}`,
    status: i < HISTORY ? (i % 5 ? 'COMPLETED' : 'CANCELLED') : open[i % 4]!,
    created_at: now,
  }))
  await fill(db, 'jobs', HISTORY + OPEN, (i) => ({
    kind: i % 2 ? 'task.deadline' : 'webhooks.deliver',
    status: i < HISTORY ? 'done' : 'queued',
    run_at: now,
    created_at: now,
  }))
  await fill(db, 'webhook_deliveries', HISTORY + OPEN, (i) => ({
    id: `whd_${i}`,
    event_id: `evt_${i}`,
    target: 'callback',
    status: i < HISTORY ? 'done' : 'pending',
    created_at: now,
  }))
  await sql`analyze`.execute(db)

  const scrapes: number[] = []
  for (let i = 0; i < 30; i++) {
    const t = performance.now()
    await readStoreGauges(ctx)
    scrapes.push(performance.now() - t)
  }
  const app = await buildApp(ctx)
  const whole: number[] = []
  for (let i = 0; i < 30; i++) {
    const t = performance.now()
    const r = await app.inject('/metrics')
    if (r.statusCode !== 200) throw new Error(r.body)
    whole.push(performance.now() - t)
  }
  await app.close()
  await ctx.store.close()
  fs.rmSync(dir, { recursive: true, force: true })

  const lines = [
    `metrics bench — ${machine()}`,
    '',
    `- per request (HttpMetrics.observe, 20 routes): ${observeCost().toFixed(0)} ns`,
    `- store gauges, SQLite, ${HISTORY} finished tasks / done jobs / delivered webhooks + ${OPEN} open of each: median ${median(scrapes).toFixed(2)} ms, max ${Math.max(...scrapes).toFixed(2)} ms`,
    `- whole GET /metrics (inject): median ${median(whole).toFixed(2)} ms`,
  ]
  console.log(lines.join('\n'))
  fs.writeFileSync(path.join(import.meta.dirname, 'results', 'metrics-latest.md'), `${lines.join('\n')}\n`)
}

await main()
