// `npm run bench:list`: the agent's task list and the operator's browse over a large history
// (issue 17). Seeds N tasks (BENCH_LIST_N, default 100,000; 1,000,000 for the figure)
// for one agent and N open tasks for the market, straight into the store (`seedTasks`: the rows
// `createTask` writes), then measures each row's latency one request at a time against a
// `humcli serve` process, with `GET /healthz` measured in the same run as the reference.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.ts'
import { encodeCursor, MAX_OFFSET } from '../src/domain/cursor.ts'
import type { TaskStatus } from '../src/domain/lifecycle.ts'
import { openContext } from '../src/server.ts'
import { rng, seedTasks } from '../test/helpers/seed-tasks.ts'
import { machine, PG_URL, ROOT, startProcess, withPgSchema } from './lib.ts'

const N = Number(process.env.BENCH_LIST_N ?? 100_000)
const REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 200)
/** The compat offset row reads 90% of the history a request: fewer of them. */
const SLOW_REQUESTS = Number(process.env.BENCH_LIST_SLOW_REQUESTS ?? 20)

interface Row {
  dialect: string
  name: string
  p50: number
  p99: number
  requests: number
}

const uptime = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

/** The q-th quantile of sorted figures. */
const quantile = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!

async function measure(
  dialect: string,
  name: string,
  url: string,
  headers: Record<string, string>,
  n = REQUESTS,
) {
  // One request after another on a kept-alive connection: the latency of a page, not a throughput.
  const once = async () => {
    const t0 = performance.now()
    const res = await fetch(url, { headers })
    const text = await res.text()
    const ms = performance.now() - t0
    if (!res.ok) throw new Error(`${dialect} ${name}: ${res.status} ${text}`)
    return ms
  }
  // A warm-up of its own for each row: V8 compiles the row's code path and the database caches
  // its pages before anything is recorded.
  for (let i = 0; i < Math.max(10, Math.round(n / 4)); i++) await once()
  const times: number[] = []
  for (let i = 0; i < n; i++) times.push(await once())
  times.sort((x, y) => x - y)
  const round = (x: number) => Math.round(x * 100) / 100
  const row = {
    dialect,
    name,
    p50: round(quantile(times, 0.5)),
    p99: round(quantile(times, 0.99)),
    requests: n,
  }
  console.error(`${dialect} ${name}: p50 ${row.p50} ms, p99 ${row.p99} ms (${n} requests)`)
  return row
}

async function json(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } })
  const body = await res.json()
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`)
  return body as Record<string, any>
}

/** Cities where half of the market's tasks cluster (the other half anywhere between 60°S and 70°N). */
const CITIES = [
  [52.52, 13.405],
  [48.857, 2.352],
  [51.507, -0.128],
  [40.713, -74.006],
  [35.68, 139.69],
  [-23.55, -46.63],
  [19.43, -99.13],
  [28.61, 77.21],
  [-33.87, 151.21],
  [6.52, 3.38],
] as const

async function benchDialect(label: string, env: Record<string, string>): Promise<Row[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-bench-list-'))
  const fullEnv = {
    HUMCLI_ENV: 'production',
    HUMCLI_MASTER_KEY: randomBytes(32).toString('hex'),
    HUMCLI_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    HUMCLI_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_SIGNUP_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_KYC_MODE: 'auto',
    HUMCLI_WORKERS: 'off',
    ...env,
  }
  const { child, url } = await startProcess(['bin/humcli.js', 'serve'], fullEnv)
  const ctx = await openContext(loadConfig({ ...process.env, ...fullEnv }))
  try {
    const agent = await json(`${url}/api/v1/agents/register`, {
      method: 'POST',
      body: JSON.stringify({ name: 'bench', email: `bench-${randomBytes(6).toString('hex')}@example.com` }),
    })
    const market = await json(`${url}/api/v1/agents/register`, {
      method: 'POST',
      body: JSON.stringify({ name: 'market', email: `market-${randomBytes(6).toString('hex')}@example.com` }),
    })
    const op = await json(`${url}/api/v1/operator/register`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'bench operator',
        email: `op-${randomBytes(6).toString('hex')}@example.com`,
        password: 'correct horse battery',
      }),
    })
    const r = rng(17)
    const deadline = new Date(Date.now() + 30 * 86_400_000)
    const anywhere = () => ({ lat: -60 + r() * 130, lng: -180 + r() * 360 })
    const started = Date.now()
    // The agent's history: a tenth open, the rest accepted, cancelled or completed.
    await seedTasks(ctx.store, {
      agentId: agent.agent_id,
      n: N,
      deadline,
      status: (i) =>
        i % 10 === 0 ? 'PENDING' : i % 10 === 1 ? 'ACCEPTED' : i % 10 < 4 ? 'CANCELLED' : 'COMPLETED',
      location: anywhere,
    })
    // The market: N open tasks, half in ten cities (within ~30 km), half anywhere.
    await seedTasks(ctx.store, {
      agentId: market.agent_id,
      n: N,
      deadline,
      taskType: (i) => (i % 4 ? 'PHOTO' : 'DELIVERY'),
      location: (i) => {
        if (i % 2) return anywhere()
        const [lat, lng] = CITIES[i % CITIES.length]!
        return { lat: lat + (r() - 0.5) * 0.5, lng: lng + (r() - 0.5) * 0.5 }
      },
    })
    // PostgreSQL's autovacuum would have vacuumed and analysed tables this size (the visibility
    // map is what lets index-only scans skip the heap); SQLite is measured as the server leaves
    // it (never ANALYZEd: the plan test proves the plans without statistics).
    if (label === 'PostgreSQL') await sql`vacuum analyze tasks`.execute(ctx.store.db)
    console.error(`${label}: seeded ${2 * N} tasks in ${Math.round((Date.now() - started) / 1000)} s`)

    // A cursor at 90% of the agent's history: the key of the task there, as a page would hand it out.
    const at = async (status?: string) => {
      let q = ctx.store.db
        .selectFrom('tasks')
        .select(['created_at', 'id'])
        .where('agent_id', '=', agent.agent_id)
      if (status) q = q.where('status', '=', status as TaskStatus)
      const t = await q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .offset(Math.floor((status ? N / 10 : N) * 0.9))
        .limit(1)
        .executeTakeFirstOrThrow()
      return encodeCursor([t.created_at, t.id])
    }
    const deep = await at()
    const deepPending = await at('PENDING')
    const a = { 'x-api-key': agent.api_key as string }
    const o = { authorization: `Bearer ${op.token as string}` }
    const api = `${url}/api/v1`
    const rows: Row[] = []
    const m = (name: string, u: string, h: Record<string, string>, n?: number) =>
      measure(label, name, u, h, n).then((x) => rows.push(x))
    await m('reference: GET /healthz', `${url}/healthz`, {})
    await m('list, first page of 100', `${api}/tasks?limit=100`, a)
    await m('list, cursor page at 90% depth', `${api}/tasks?limit=100&cursor=${deep}`, a)
    // The compat offset at 90% depth, or at its cap (MAX_OFFSET) when that is shallower.
    const offset = Math.min(Math.floor(N * 0.9), MAX_OFFSET)
    await m(
      `list, offset ${offset.toLocaleString('en')} (compat${offset === MAX_OFFSET ? ', its cap' : ''})`,
      `${api}/tasks?limit=100&offset=${offset}`,
      a,
      SLOW_REQUESTS,
    )
    await m('list ?status=PENDING, first page', `${api}/tasks?limit=100&status=PENDING`, a)
    await m(
      'list ?status=PENDING, cursor at 90% depth',
      `${api}/tasks?limit=100&status=PENDING&cursor=${deepPending}`,
      a,
    )
    await m('list ?task_type=DELIVERY (none of them)', `${api}/tasks?limit=100&task_type=DELIVERY`, a)
    await m('browse, first page of 100', `${api}/operator/tasks?limit=100`, o)
    await m('browse near= a city centre (25 km)', `${api}/operator/tasks?limit=100&near=52.52,13.405`, o)
    await m('browse near= a point outside the cities', `${api}/operator/tasks?limit=100&near=45.0,30.0`, o)
    // The shape near= by distance had before ADR 0026, in the same run: every open task of the
    // circle read, placed and sorted (`sort=reward` still reads the whole circle).
    await m(
      'browse near= a city centre, sort=reward (whole circle)',
      `${api}/operator/tasks?limit=100&near=52.52,13.405&sort=reward`,
      o,
      SLOW_REQUESTS,
    )
    await m('reference: GET /healthz (again)', `${url}/healthz`, {})
    const open = await ctx.store.db
      .selectFrom('tasks')
      .select(sql<bigint>`count(*)`.as('n'))
      .where('status', '=', 'PENDING')
      .executeTakeFirstOrThrow()
    console.error(`${label}: ${open.n} open tasks in the market`)
    return rows
  } finally {
    await ctx.store.close()
    child.kill('SIGTERM')
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

const loadBefore = uptime()
const rows: Row[] = []
rows.push(...(await benchDialect('SQLite', {})))
if (process.env.BENCH_SKIP_PG !== '1') {
  rows.push(
    ...(await withPgSchema((schema) =>
      benchDialect('PostgreSQL', { DATABASE_URL: PG_URL, HUMCLI_DB_SCHEMA: schema }),
    )),
  )
}
const out = [
  `# List and browse benchmark ${new Date().toISOString()}`,
  '',
  `Machine: ${machine()}; load average (1, 5, 15 min) ${loadBefore} before, ${uptime()} after (shared machine: other work ran meanwhile).`,
  `Command: \`BENCH_LIST_N=${N} npm run bench:list\`. N = ${N.toLocaleString('en')} tasks for one agent (a tenth PENDING) and ${N.toLocaleString('en')} open tasks in the market (half in ten cities), seeded straight into the store; one kept-alive connection, requests one after another, ${REQUESTS} a row (${SLOW_REQUESTS} for the offset row) after a warm-up; load generator on the same machine.`,
  '',
  '| dialect | row | p50 ms | p99 ms | requests |',
  '|---|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.dialect} | ${r.name} | ${r.p50} | ${r.p99} | ${r.requests} |`),
  '',
].join('\n')
process.stdout.write(out)
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true })
fs.writeFileSync(path.join(ROOT, 'bench', 'results', `list-latest-${N}.md`), out)
