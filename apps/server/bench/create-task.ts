import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import { setAgentTier } from '../src/admin/set-tier.ts'
import { adminCredit } from '../src/agents/deposit.ts'
import { loadConfig } from '../src/config.ts'
import { MICROS_PER_USD } from '../src/domain/money.ts'
import { openContext } from '../src/server.ts'
import {
  cpuSeconds,
  loadAverage,
  machine,
  PG_URL,
  postgresCpuSeconds,
  ROOT,
  startProcess,
  withPgSchema,
} from './lib.ts'

const DURATION = Number(process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

interface Result {
  name: string
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
  /** Which ceiling the row is compared with. */
  group?: 'sqlite' | 'postgres'
  cpu?: string
}

const WARMUP = Number(process.env.BENCH_WARMUP_S ?? 3)

/** Warms the server up (JIT, caches) for a few unrecorded seconds, then measures. */
async function run(name: string, opts: autocannon.Options, warmup = WARMUP): Promise<Result> {
  if (warmup > 0) await autocannon({ connections: CONNECTIONS, duration: warmup, ...opts })
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts })
  const result = {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  }
  console.error(
    `${name}: ${result.rps} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`,
  )
  return result
}

async function json(url: string, init: RequestInit = {}) {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } })
  const body = await res.json()
  if (!res.ok) throw new Error(`${url}: ${res.status} ${JSON.stringify(body)}`)
  return body as Record<string, any>
}

function taskBody() {
  return JSON.stringify({
    title: 'Photograph the storefront',
    description: 'Two photos of the shop front at 1 Main St, including the opening hours sign.',
    task_type: 'PHOTO',
    reward_usd: 15,
    deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    proof_requirements: ['photo of the storefront', 'photo of the opening hours'],
    location: { lat: 52.52, lng: 13.405, address: '1 Main St' },
  })
}

/** Where a bench's humcli runs: this repo, or `BENCH_BASELINE_DIR` (another checkout's apps/server, built). */
interface Build {
  label: string
  cwd: string
}
const THIS_BUILD: Build = { label: '', cwd: ROOT }

interface Deployment {
  /** One URL per API process. */
  urls: string[]
  newAgent(): Promise<string>
  /** CPU seconds used so far by each humcli process (API processes first). */
  cpu(): number[]
  /**
   * PostgreSQL: waits until `tasks` has been analyzed after `since` (by the `retention.analyze`
   * job, or by autovacuum when it is on), as a deployment's list would be after a burst of creates
   * (at most `HUMCLI_ANALYZE_EVERY`, 60 s).
   * Returns the seconds waited; 0 on SQLite.
   */
  statistics(since: Date): Promise<number>
  stop(): Promise<void>
}

/**
 * humcli as it would run in production (no development-only checks, no dev chain): one `serve`,
 * or `apis` × `serve --no-workers` and one `worker` on the same database.
 */
async function deploy(env: Record<string, string>, apis: number, build: Build): Promise<Deployment> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-bench-'))
  const fullEnv = {
    HUMCLI_ENV: 'production',
    HUMCLI_MASTER_KEY: randomBytes(32).toString('hex'),
    HUMCLI_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    HUMCLI_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_SIGNUP_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_TIER_LIMITS: JSON.stringify({ STANDARD: { maxDailyTasks: 10_000_000, maxDailySpend: 1e12 } }),
    ...env,
  }
  const bin = ['bin/humcli.js']
  const started = [
    ...(await Promise.all(
      Array.from({ length: apis }, () =>
        startProcess([...bin, 'serve', ...(apis > 1 ? ['--no-workers'] : [])], fullEnv, 60_000, build),
      ),
    )),
  ]
  if (apis > 1) {
    started.push(
      await startProcess([...bin, 'worker'], fullEnv, 60_000, { ...build, ready: /worker running/ }),
    )
  }
  // Staff actions on the same database, as `humcli admin set-tier` and `humcli admin credit` do.
  const admin = await openContext(loadConfig({ ...process.env, ...fullEnv }))
  const url = started[0]!.url
  return {
    urls: started.slice(0, apis).map((p) => p.url),
    // A funded STANDARD agent: registered over HTTP, then promoted and credited by staff.
    async newAgent() {
      const agent = await json(`${url}/api/v1/agents/register`, {
        method: 'POST',
        body: JSON.stringify({ name: 'bench', email: `bench-${randomBytes(6).toString('hex')}@example.com` }),
      })
      await setAgentTier(admin, agent.agent_id, 'STANDARD')
      await adminCredit(admin, agent.agent_id, 10_000_000n * MICROS_PER_USD, 'bench funds')
      return agent.api_key as string
    },
    cpu: () => started.map((p) => cpuSeconds(p.child.pid!)),
    async statistics(since) {
      if (admin.store.dialect !== 'postgres') return 0
      const t0 = Date.now()
      for (;;) {
        const r = await sql<{ at: Date | null }>`
          select greatest(last_analyze, last_autoanalyze) as at from pg_stat_user_tables
          where schemaname = current_schema() and relname = 'tasks'`.execute(admin.store.db)
        const at = r.rows[0]?.at
        if (at && new Date(at) > since) return Math.round((Date.now() - t0) / 1000)
        if (Date.now() - t0 > 120_000) throw new Error('tasks was not analyzed within 120 s')
        await new Promise((r) => setTimeout(r, 500))
      }
    },
    async stop() {
      await admin.store.close()
      for (const p of started) p.child.kill('SIGTERM')
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Creates from `keys` (round robin), spread over the API processes: one autocannon per process. */
async function createRow(name: string, d: Deployment, keys: string[]): Promise<Result> {
  const body = taskBody()
  let next = 0
  const per = Math.max(1, Math.round(CONNECTIONS / d.urls.length))
  const options = (url: string): autocannon.Options => ({
    url: `${url}/api/v1/tasks`,
    connections: per,
    requests: [
      {
        method: 'POST',
        body,
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/json', 'x-api-key': keys[next++ % keys.length]! },
        }),
      },
    ],
  })
  if (WARMUP > 0) await Promise.all(d.urls.map((url) => autocannon({ ...options(url), duration: WARMUP })))
  const cpu0 = d.cpu()
  const pg0 = await postgresCpuSeconds()
  const rows = await Promise.all(d.urls.map((url, i) => run(`${name} #${i}`, options(url), 0)))
  const cpu = d.cpu().map((c, i) => Math.round(((c - cpu0[i]!) / DURATION) * 100))
  const pgCpu = Math.round((((await postgresCpuSeconds()) - pg0) / DURATION) * 100)
  return {
    name,
    rps: rows.reduce((sum, r) => sum + r.rps, 0),
    p50: Math.max(...rows.map((r) => r.p50)),
    p99: Math.max(...rows.map((r) => r.p99)),
    errors: rows.reduce((sum, r) => sum + r.errors, 0),
    non2xx: rows.reduce((sum, r) => sum + r.non2xx, 0),
    cpu: `humcli ${cpu.map((c) => `${c}%`).join(' + ')}, postgres ${pgCpu}%`,
  }
}

/** The create rows (1 agent, 50 agents), then GET and list on the first process. */
async function benchHumcli(
  label: string,
  env: Record<string, string>,
  build = THIS_BUILD,
): Promise<Result[]> {
  const d = await deploy(env, 1, build)
  try {
    const key = await d.newAgent()
    const headers = { 'content-type': 'application/json', 'x-api-key': key }
    const url = d.urls[0]!
    const created = await json(`${url}/api/v1/tasks`, { method: 'POST', headers, body: taskBody() })
    const create = await createRow(`create-task, 1 agent (${label})`, d, [key])
    const keys = await Promise.all(Array.from({ length: CONNECTIONS }, d.newAgent))
    const createMany = await createRow(`create-task, ${keys.length} agents (${label})`, d, keys)
    if (build !== THIS_BUILD) return [create, createMany]
    const createsDone = new Date()
    const get = await run(`GET task (${label})`, { url: `${url}/api/v1/tasks/${created.task_id}`, headers })
    const waited = await d.statistics(createsDone)
    if (waited > 0) console.error(`waited ${waited} s for the statistics job to analyze tasks`)
    // The first agent now has tens of thousands of tasks: a page of 100 with the total count.
    const list = await run(`list tasks, 100 a page (${label})`, {
      url: `${url}/api/v1/tasks?limit=100`,
      headers,
    })
    return [create, createMany, get, list]
  } finally {
    await d.stop()
  }
}

/** Two API processes (`serve --no-workers`) and one `worker` on one PostgreSQL schema. */
async function benchTwoProcesses(env: Record<string, string>): Promise<Result[]> {
  const d = await deploy(env, 2, THIS_BUILD)
  try {
    const key = await d.newAgent()
    const one = await createRow('create-task, 1 agent (PostgreSQL, 2 API processes + worker)', d, [key])
    const keys = await Promise.all(Array.from({ length: CONNECTIONS }, d.newAgent))
    const many = await createRow(
      `create-task, ${keys.length} agents (PostgreSQL, 2 API processes + worker)`,
      d,
      keys,
    )
    return [one, many]
  } finally {
    await d.stop()
  }
}

/** The bare Fastify + one insert ceiling, on a SQLite file or a PostgreSQL schema. */
async function benchCeiling(name: string, target: string, env: Record<string, string> = {}): Promise<Result> {
  const { child, url } = await startProcess(['--import', 'tsx', 'bench/ceiling-server.ts', target], env)
  try {
    const opts = {
      url: `${url}/items`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: taskBody(),
    }
    if (WARMUP > 0) await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...opts })
    const cpu0 = cpuSeconds(child.pid!)
    const pg0 = await postgresCpuSeconds()
    const r = await run(name, { ...opts }, 0)
    const cpu = Math.round(((cpuSeconds(child.pid!) - cpu0) / DURATION) * 100)
    const pgCpu = Math.round((((await postgresCpuSeconds()) - pg0) / DURATION) * 100)
    return { ...r, cpu: `server ${cpu}%${target.startsWith('postgres') ? `, postgres ${pgCpu}%` : ''}` }
  } finally {
    child.kill('SIGTERM')
  }
}

async function sqliteCeiling(when: string): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-ceiling-'))
  try {
    return {
      ...(await benchCeiling(
        `ceiling: bare Fastify + 1 SQLite insert (${when})`,
        path.join(dir, 'c.sqlite'),
      )),
      group: 'sqlite',
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const pgCeiling = (when: string) =>
  withPgSchema(async (schema) => ({
    ...(await benchCeiling(`ceiling: bare Fastify + 1 PostgreSQL insert (${when})`, PG_URL, {
      HUMCLI_DB_SCHEMA: schema,
    })),
    group: 'postgres' as const,
  }))

const only = process.env.BENCH_ONLY ?? ''
const baseline = process.env.BENCH_BASELINE_DIR
const load: string[] = [loadAverage()]
// Each ceiling is measured right before and right after its dialect's rows, and they are
// compared with the mean of the two: this VM's speed drifts by ±25% within minutes.
const results: Result[] = []
if (only !== 'postgres') {
  results.push(await sqliteCeiling('before'))
  results.push(...(await benchHumcli('SQLite', {})).map((r) => ({ ...r, group: 'sqlite' as const })))
  results.push(await sqliteCeiling('after'))
  load.push(loadAverage())
}
if (only !== 'sqlite' && process.env.BENCH_SKIP_PG !== '1') {
  const pgEnv = (schema: string) => ({ DATABASE_URL: PG_URL, HUMCLI_DB_SCHEMA: schema })
  const pgRows: Result[] = []
  pgRows.push(await pgCeiling('before'))
  if (baseline) {
    const build = { label: 'baseline', cwd: path.resolve(baseline) }
    pgRows.push(...(await withPgSchema((s) => benchHumcli('PostgreSQL, baseline', pgEnv(s), build))))
  }
  pgRows.push(...(await withPgSchema((s) => benchHumcli('PostgreSQL', pgEnv(s)))))
  if (process.env.BENCH_SKIP_TWO !== '1')
    pgRows.push(...(await withPgSchema((s) => benchTwoProcesses(pgEnv(s)))))
  pgRows.push(await pgCeiling('after'))
  results.push(...pgRows.map((r) => ({ ...r, group: 'postgres' as const })))
  load.push(loadAverage())
}

const ceilingOf = (group: string) => {
  const runs = results.filter((r) => r.group === group && r.name.startsWith('ceiling'))
  return Math.round(runs.reduce((sum, r) => sum + r.rps, 0) / runs.length)
}
const ceilings = { sqlite: ceilingOf('sqlite'), postgres: ceilingOf('postgres') }
const lines = [
  `# Benchmark ${new Date().toISOString()}`,
  '',
  `Machine: ${machine()}; load average (1 min) ${load.join(' → ')} over the run.`,
  `Command: \`npm run bench\`${only ? ` with BENCH_ONLY=${only}` : ''}${baseline ? ' and BENCH_BASELINE_DIR (the rows marked baseline: the code before, same run)' : ''} (autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s measured per row; load generator on the same machine).`,
  '',
  `"% of ceiling" is against the mean of the two ceiling runs of the row's database: SQLite ${ceilings.sqlite || '–'} req/s, PostgreSQL ${ceilings.postgres || '–'} req/s. CPU is per process over the measured seconds (100% = one core); "postgres" is the PostgreSQL backends connected to the bench's database.`,
  '',
  '| scenario | req/s | % of ceiling | p50 ms | p99 ms | errors | non-2xx | CPU |',
  '|---|---:|---:|---:|---:|---:|---:|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.rps} | ${Math.round((r.rps / ceilings[r.group as 'sqlite' | 'postgres']) * 100)}% | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.cpu ?? ''} |`,
  ),
  '',
]
const out = lines.join('\n')
process.stdout.write(out)
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true })
fs.writeFileSync(path.join(ROOT, 'bench', 'results', process.env.BENCH_OUT ?? 'latest.md'), out)
