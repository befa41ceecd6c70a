// `npm run bench:soak` (issue 17, test 5): a real `humcli serve` under a steady load, with short
// retention periods, while the row counts of the tables of finished work are sampled. Passes when
// each of them plateaus: the largest count of the last third of the run is at most 1.25× the
// largest of the middle third (the first third is warm-up: retention period + a prune interval).
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import {
  createAdminToken,
  jsonCall,
  jsonOk,
  machine,
  PG_URL,
  ROOT,
  startProcess,
  withPgSchema,
} from './lib.ts'

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10)
const RATE = Number(process.env.SOAK_RATE ?? 10)
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? 15)
const RETAIN = process.env.SOAK_RETAIN ?? '60s'
const EVERY = process.env.SOAK_RETAIN_EVERY ?? '15s'
const TABLES = ['jobs', 'webhook_deliveries', 'idempotency_keys', 'outbox', 'tasks'] as const
/** `tasks` is never pruned: it grows with the load, the contrast the others are judged against. */
const BOUNDED = TABLES.filter((t) => t !== 'tasks')

type Counts = Record<(typeof TABLES)[number], number>
interface Sample extends Counts {
  s: number
  load: number
}

const receiver = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => res.end('ok'))
})
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()))
const rxUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 })

const call = (url: string, method: string, headers: Record<string, string>, body?: unknown) =>
  jsonCall(agent, url, method, headers, body)
const ok = (url: string, method: string, headers: Record<string, string>, body?: unknown) =>
  jsonOk(agent, url, method, headers, body)

/** Reads the row counts straight from the database (a second connection, as an operator would). */
function counter(env: Record<string, string>): { read(): Promise<Counts>; close(): Promise<void> } {
  if (env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: env.DATABASE_URL })
    const connected = c.connect()
    return {
      async read() {
        await connected
        const out = {} as Counts
        for (const t of TABLES) {
          out[t] = Number(
            (await c.query(`select count(*) as n from "${env.HUMCLI_DB_SCHEMA}"."${t}"`)).rows[0].n,
          )
        }
        return out
      },
      close: () => c.end(),
    }
  }
  const db = new Database(path.join(env.HUMCLI_DATA_DIR!, 'humcli.sqlite'), { readonly: true })
  return {
    async read() {
      const out = {} as Counts
      for (const t of TABLES) out[t] = (db.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n
      if (process.env.SOAK_DEBUG) {
        console.error(db.prepare('select status, count(*) n from webhook_deliveries group by status').all())
        console.error(db.prepare('select kind, status, count(*) n from jobs group by kind, status').all())
      }
      return out
    },
    close: async () => {
      db.close()
    },
  }
}

async function setUp(api: string, env: Record<string, string>) {
  const adminToken = await createAdminToken(env)
  const reg = await ok(
    `${api}/agents/register`,
    'POST',
    {},
    { name: 'soak', email: `soak-${randomBytes(6).toString('hex')}@example.com` },
  )
  await ok(
    `${api}/admin/agents/${reg.agent_id}/tier`,
    'POST',
    { authorization: `Bearer ${adminToken}` },
    { tier: 'VERIFIED' },
  )
  const auth = { 'x-api-key': reg.api_key as string }
  await ok(`${api}/agents/deposit/usdc`, 'POST', auth, {
    tx_hash: `0x${randomBytes(32).toString('hex')}`,
    amount_usdc: 10_000_000,
    chain: 'base',
  })
  await ok(`${api}/webhooks`, 'POST', auth, { url: `${rxUrl}/hook`, events: ['*'] })
  return auth
}

/** One unit of load: an idempotent create (a tenth of them a replay of the one before), then a cancel. */
async function oneTask(
  api: string,
  auth: Record<string, string>,
  last: { key: string; body: unknown } | null,
) {
  if (last && Math.random() < 0.1) {
    const r = await call(`${api}/tasks`, 'POST', { ...auth, 'idempotency-key': last.key }, last.body)
    if (r.headers['idempotent-replayed'] !== 'true')
      throw new Error(`a repeated Idempotency-Key was not replayed: ${r.status}`)
    return last
  }
  const key = `soak-${randomBytes(8).toString('hex')}`
  const body = {
    title: 'Photograph the storefront',
    description: 'Two photos of the shop front at 1 Main St, including the opening hours sign.',
    task_type: 'PHOTO',
    reward_usd: 15,
    deadline: new Date(Date.now() + 90_000).toISOString(),
    proof_requirements: ['photo of the storefront'],
    location: { lat: 52.52, lng: 13.405, address: '1 Main St' },
    callback_url: `${rxUrl}/cb`,
  }
  const created = await ok(`${api}/tasks`, 'POST', { ...auth, 'idempotency-key': key }, body)
  await ok(`${api}/tasks/${created.task_id}/cancel`, 'POST', auth)
  return { key, body }
}

async function soak(label: string, env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-soak-'))
  const fullEnv: Record<string, string> = {
    HUMCLI_DATA_DIR: dataDir,
    HUMCLI_ENV: 'development',
    PORT: '0',
    LOG_LEVEL: 'warn',
    HUMCLI_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_SIGNUP_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_TIER_LIMITS: JSON.stringify({
      STANDARD: { maxDailyTasks: 10_000_000, maxDailySpend: 1e12 },
      VERIFIED: { maxDailyTasks: 10_000_000, maxDailySpend: 1e12 },
    }),
    HUMCLI_RETAIN_JOBS: RETAIN,
    HUMCLI_RETAIN_DELIVERIES: RETAIN,
    HUMCLI_RETAIN_OUTBOX: RETAIN,
    HUMCLI_IDEMPOTENCY_TTL_MS: String(Number.parseInt(RETAIN, 10) * 1000),
    HUMCLI_RETAIN_EVERY: EVERY,
    // One agent makes all the load: without this its webhook attempts run two at a time (the default cap).
    HUMCLI_WEBHOOK_AGENT_CONCURRENCY: '16',
    ...env,
  }
  const { child, url } = await startProcess(['bin/humcli.js', 'serve'], fullEnv)
  const api = `${url}/api/v1`
  const rows = counter(fullEnv)
  const samples: Sample[] = []
  let sent = 0
  let failed = 0
  let lastError = ''
  try {
    const auth = await setUp(api, fullEnv)
    const started = Date.now()
    const endAt = started + MINUTES * 60_000
    let nextSample = started
    let last: { key: string; body: unknown } | null = null
    const inflight = new Set<Promise<void>>()
    while (Date.now() < endAt) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE) - sent
      for (let i = 0; i < due; i++) {
        sent++
        const p: Promise<void> = oneTask(api, auth, last)
          .then((l) => {
            last = l
          })
          .catch((err: Error) => {
            failed++
            lastError = err.message
          })
          .finally(() => inflight.delete(p))
        inflight.add(p)
      }
      if (Date.now() >= nextSample) {
        const s = {
          s: Math.round((Date.now() - started) / 1000),
          load: os.loadavg()[0]!,
          ...(await rows.read()),
        }
        samples.push(s)
        console.error(
          `${label} ${s.s}s: ${TABLES.map((t) => `${t} ${s[t]}`).join(', ')} (load ${s.load.toFixed(1)})`,
        )
        nextSample += SAMPLE_S * 1000
      }
      await new Promise((r) => setTimeout(r, 20))
    }
    await Promise.all(inflight)
    return { label, samples, sent, failed, lastError }
  } finally {
    await rows.close()
    child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 1000))
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The largest count in each third of the run, and whether the last third stays within 1.25× the middle. */
function verdict(samples: Sample[]) {
  const third = (i: number) => samples.filter((_, j) => Math.floor((j * 3) / samples.length) === i)
  return Object.fromEntries(
    TABLES.map((t) => {
      const [a, b, c] = [0, 1, 2].map((i) => Math.max(...third(i).map((s) => s[t])))
      return [t, { thirds: [a!, b!, c!], bounded: c! <= 1.25 * b! }]
    }),
  ) as Record<(typeof TABLES)[number], { thirds: number[]; bounded: boolean }>
}

// BENCH_SKIP_SQLITE=1 runs PostgreSQL alone and writes soak-latest-postgres.md.
const skipSqlite = process.env.BENCH_SKIP_SQLITE === '1'
const runs = skipSqlite ? [] : [await soak('SQLite', {})]
if (process.env.BENCH_SKIP_PG !== '1') {
  runs.push(
    await withPgSchema((schema) => soak('PostgreSQL', { DATABASE_URL: PG_URL, HUMCLI_DB_SCHEMA: schema })),
  )
}
receiver.close()
agent.destroy()

const lines = [
  `# Retention soak ${new Date().toISOString()}`,
  '',
  `Machine: ${machine()}. Load average (1 min) during the run: ${runs.map((r) => `${r.label} ${Math.min(...r.samples.map((s) => s.load)).toFixed(1)}–${Math.max(...r.samples.map((s) => s.load)).toFixed(1)}`).join(', ')}.`,
  `Command: \`SOAK_MINUTES=${MINUTES} npm run bench:soak\`: ${RATE} tasks/s created with a new Idempotency-Key (a tenth of the requests repeat the previous key and must be replayed), each with a callback_url and the agent's webhook endpoint, then cancelled; HUMCLI_RETAIN_JOBS / _DELIVERIES / _OUTBOX = ${RETAIN}, HUMCLI_IDEMPOTENCY_TTL_MS = ${RETAIN}, HUMCLI_RETAIN_EVERY = ${EVERY}; rows counted every ${SAMPLE_S} s from a second connection. Bounded = the largest count of the last third of the run ≤ 1.25 × that of the middle third (\`tasks\` is never pruned: the contrast).`,
  '',
]
let allBounded = true
for (const r of runs) {
  const v = verdict(r.samples)
  lines.push(
    `## ${r.label}: ${r.sent} units of load sent, ${r.failed} failed${r.failed ? ` (last: ${r.lastError})` : ''}`,
    '',
    '| table | max, first third | max, middle third | max, last third | bounded |',
    '|---|---:|---:|---:|---|',
    ...TABLES.map(
      (t) =>
        `| ${t} | ${v[t].thirds.join(' | ')} | ${BOUNDED.includes(t as never) ? (v[t].bounded ? 'yes' : '**no**') : '(grows: never pruned)'} |`,
    ),
    '',
    '<details><summary>every sample</summary>',
    '',
    `| s | load | ${TABLES.join(' | ')} |`,
    `|---:|---:|${TABLES.map(() => '---:').join('|')}|`,
    ...r.samples.map((s) => `| ${s.s} | ${s.load.toFixed(1)} | ${TABLES.map((t) => s[t]).join(' | ')} |`),
    '',
    '</details>',
    '',
  )
  allBounded &&= BOUNDED.every((t) => v[t].bounded) && r.failed === 0
}
const out = lines.join('\n')
process.stdout.write(out)
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true })
fs.writeFileSync(
  path.join(ROOT, 'bench', 'results', skipSqlite ? 'soak-latest-postgres.md' : 'soak-latest.md'),
  out,
)
if (!allBounded) {
  console.error('soak: a table did not stay bounded, or requests failed')
  process.exitCode = 1
}
