import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { setAgentTier } from '../src/admin/set-tier.ts'
import { adminCredit } from '../src/agents/deposit.ts'
import { loadConfig } from '../src/config.ts'
import { MICROS_PER_USD } from '../src/domain/money.ts'
import { openContext } from '../src/server.ts'
import { machine, PG_URL, ROOT, startProcess, withPgSchema } from './lib.ts'

const DURATION = Number(process.env.BENCH_DURATION_S ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

interface Result {
  name: string
  rps: number
  p50: number
  p99: number
  errors: number
  non2xx: number
}

const WARMUP = Number(process.env.BENCH_WARMUP_S ?? 3)

/** Warms the server up (JIT, caches) for a few unrecorded seconds, then measures. */
async function run(name: string, opts: autocannon.Options): Promise<Result> {
  if (WARMUP > 0) await autocannon({ connections: CONNECTIONS, duration: WARMUP, ...opts })
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

async function benchHumcli(label: string, env: Record<string, string>): Promise<Result[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-bench-'))
  // The server runs as it would in production (no development-only checks, no dev chain).
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
  const { child, url } = await startProcess(['bin/humcli.js', 'serve'], fullEnv)
  // Staff actions on the same database, as `humcli admin set-tier` and `humcli admin credit` do.
  const admin = await openContext(loadConfig({ ...process.env, ...fullEnv }))
  try {
    // A funded STANDARD agent: registered over HTTP, then promoted and credited by staff.
    const newAgent = async () => {
      const agent = await json(`${url}/api/v1/agents/register`, {
        method: 'POST',
        body: JSON.stringify({ name: 'bench', email: `bench-${randomBytes(6).toString('hex')}@example.com` }),
      })
      await setAgentTier(admin, agent.agent_id, 'STANDARD')
      await adminCredit(admin, agent.agent_id, 10_000_000n * MICROS_PER_USD, 'bench funds')
      return agent.api_key as string
    }
    const key = await newAgent()
    const headers = { 'content-type': 'application/json', 'x-api-key': key }
    const created = await json(`${url}/api/v1/tasks`, { method: 'POST', headers, body: taskBody() })
    const body = taskBody()
    const create = await run(`create-task, 1 agent (${label})`, {
      url: `${url}/api/v1/tasks`,
      method: 'POST',
      headers,
      body,
    })
    const keys = await Promise.all(Array.from({ length: CONNECTIONS }, newAgent))
    let next = 0
    const createMany = await run(`create-task, ${keys.length} agents (${label})`, {
      url: `${url}/api/v1/tasks`,
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
    const get = await run(`GET task (${label})`, { url: `${url}/api/v1/tasks/${created.task_id}`, headers })
    // The first agent now has tens of thousands of tasks: a page of 100 with the total count.
    const list = await run(`list tasks, 100 a page (${label})`, {
      url: `${url}/api/v1/tasks?limit=100`,
      headers,
    })
    return [create, createMany, get, list]
  } finally {
    await admin.store.close()
    child.kill('SIGTERM')
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

async function benchCeiling(when: string): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-ceiling-'))
  const { child, url } = await startProcess(
    ['--import', 'tsx', 'bench/ceiling-server.ts', path.join(dir, 'c.sqlite')],
    {},
  )
  try {
    return await run(`ceiling: bare Fastify + 1 SQLite insert (${when})`, {
      url: `${url}/items`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: taskBody(),
    })
  } finally {
    child.kill('SIGTERM')
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// The ceiling is measured right before and right after the SQLite rows, and they are compared
// with the mean of the two: this VM's speed drifts by ±25% within minutes.
const results: Result[] = []
results.push(await benchCeiling('before'))
results.push(...(await benchHumcli('SQLite', {})))
results.push(await benchCeiling('after'))
if (process.env.BENCH_SKIP_PG !== '1') {
  results.push(
    ...(await withPgSchema((schema) =>
      benchHumcli('PostgreSQL', { DATABASE_URL: PG_URL, HUMCLI_DB_SCHEMA: schema }),
    )),
  )
}

const ceilings = results.filter((r) => r.name.startsWith('ceiling'))
const ceiling = Math.round(ceilings.reduce((sum, r) => sum + r.rps, 0) / ceilings.length)
const lines = [
  `# Benchmark ${new Date().toISOString()}`,
  '',
  `Machine: ${machine()}.`,
  `Command: \`npm run bench\` (autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s measured per row; load generator on the same machine).`,
  '',
  `"% of ceiling" is against the mean of the two ceiling runs, ${ceiling} req/s.`,
  '',
  '| scenario | req/s | % of ceiling | p50 ms | p99 ms | errors | non-2xx |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.rps} | ${Math.round((r.rps / ceiling) * 100)}% | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`,
  ),
  '',
]
const out = lines.join('\n')
process.stdout.write(out)
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true })
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'latest.md'), out)
