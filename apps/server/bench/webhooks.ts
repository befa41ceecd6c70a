import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {
  cpuSeconds,
  createAdminToken,
  jsonCall,
  jsonOk,
  loadAverage,
  machine,
  PG_URL,
  postgresCpuSeconds,
  ROOT,
  startProcess,
  withPgSchema,
} from './lib.ts'

const RATE = Number(process.env.BENCH_RATE ?? 500)
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10)
const TASKS = Number(process.env.BENCH_TASKS ?? 1000)
const POLL_MS = process.env.BENCH_POLL_MS ?? '20'
const DRAIN_S = Number(process.env.BENCH_DRAIN_S ?? 60)
// Accepts by one operator queue on that operator's row (its active-task cap is checked under a
// lock), which no real operator's pace comes near; the tasks are shared among this many.
const OPERATORS = Number(process.env.BENCH_OPERATORS ?? 20)

interface Result {
  name: string
  sent: number
  events: number
  delivered: number
  duplicates: number
  eventRate: number
  deliveryRate: number
  p50: number
  p95: number
  p99: number
  max: number
  undelivered: number
  /** CPU used from the first transition to the last arrival, in % of one core. */
  cpu: { server: number; postgres: number | null; bench: number }
}

// ── the receiver ────────────────────────────────────────────────────────────────────────────────
const firstSeen = new Map<string, { at: number; eventAt: number }>()
let received = 0
const receiver = http.createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    const at = Date.now()
    received++
    const id = String(req.headers['webhook-id'])
    if (!firstSeen.has(id)) firstSeen.set(id, { at, eventAt: Date.parse(String(req.headers['x-timestamp'])) })
    res.writeHead(200)
    res.end('ok')
  })
})
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()))
const rxUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`

// ── the server ──────────────────────────────────────────────────────────────────────────────────

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

/** A JSON request over a keep-alive agent; resolves with the status and parsed body. */
const call = (url: string, method: string, headers: Record<string, string>, body?: unknown) =>
  jsonCall(agent, url, method, headers, body)
const ok = (url: string, method: string, headers: Record<string, string>, body?: unknown) =>
  jsonOk(agent, url, method, headers, body)

const pct = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

async function benchWebhooks(label: string, env: Record<string, string>): Promise<Result> {
  firstSeen.clear()
  received = 0
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-bench-wh-'))
  const fullEnv = {
    HUMCLI_DATA_DIR: dataDir,
    HUMCLI_ENV: 'development',
    PORT: '0',
    LOG_LEVEL: 'warn',
    HUMCLI_JOB_POLL_MS: POLL_MS,
    HUMCLI_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_SIGNUP_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_OPERATOR_MAX_ACTIVE_TASKS: String(TASKS * 2),
    HUMCLI_TIER_LIMITS: JSON.stringify({ STANDARD: { maxDailyTasks: 10_000_000, maxDailySpend: 1e12 } }),
    ...env,
  }
  const { child, url } = await startProcess(['bin/humcli.js', 'serve'], fullEnv)
  const api = `${url}/api/v1`
  try {
    const adminToken = await createAdminToken(fullEnv)
    const reg = await ok(
      `${api}/agents/register`,
      'POST',
      {},
      {
        name: 'bench',
        email: `bench-${randomBytes(6).toString('hex')}@example.com`,
      },
    )
    await ok(
      `${api}/admin/agents/${reg.agent_id}/tier`,
      'POST',
      { authorization: `Bearer ${adminToken}` },
      {
        tier: 'VERIFIED',
      },
    )
    const agentAuth = { 'x-api-key': reg.api_key as string }
    await ok(`${api}/agents/deposit/usdc`, 'POST', agentAuth, {
      tx_hash: `0x${randomBytes(32).toString('hex')}`,
      amount_usdc: 10_000_000,
      chain: 'base',
    })
    const opAuths: Record<string, string>[] = []
    for (let i = 0; i < OPERATORS; i++) {
      const op = await ok(
        `${api}/operator/register`,
        'POST',
        {},
        {
          name: `bench operator ${i}`,
          email: `op-${randomBytes(6).toString('hex')}@example.com`,
          password: 'correct horse battery',
        },
      )
      opAuths.push({ authorization: `Bearer ${op.token as string}` })
    }
    const ids: string[] = []
    for (let i = 0; i < TASKS; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, TASKS - i) }, () =>
          ok(`${api}/tasks`, 'POST', agentAuth, {
            title: 'Photograph the storefront',
            description: 'Two photos of the shop front at 1 Main St, including the opening hours sign.',
            task_type: 'PHOTO',
            reward_usd: 15,
            deadline: new Date(Date.now() + 7 * 86_400_000).toISOString(),
            proof_requirements: ['photo of the storefront', 'photo of the opening hours'],
            location: { lat: 52.52, lng: 13.405, address: '1 Main St' },
            callback_url: `${rxUrl}/cb`,
          }),
        ),
      )
      ids.push(...batch.map((b) => b.task_id as string))
    }

    // Open loop: every 10 ms, start the transitions due by the target rate on idle tasks. Each
    // task alternates accept (PENDING → ESTIMATE_PENDING) and estimate reject (→ PENDING).
    const idle = ids.map((id, i) => ({ id, pending: true, opAuth: opAuths[i % OPERATORS]! }))
    let sent = 0
    let events = 0
    let failed = 0
    let lastError = ''
    const isPg = !!env.DATABASE_URL
    const cpu0 = {
      server: cpuSeconds(child.pid!),
      postgres: isPg ? await postgresCpuSeconds() : 0,
      bench: process.cpuUsage(),
    }
    const started = Date.now()
    const endAt = started + DURATION * 1000
    const inflight = new Set<Promise<void>>()
    while (Date.now() < endAt) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE) - sent
      for (let i = 0; i < due && idle.length > 0; i++) {
        const t = idle.shift()!
        sent++
        const p = (
          t.pending
            ? call(`${api}/operator/tasks/${t.id}/accept`, 'POST', t.opAuth, { estimate_hours: 1 })
            : call(`${api}/tasks/${t.id}/estimate/reject`, 'POST', agentAuth, { reason: 'bench' })
        )
          .then((r) => {
            if (r.status === 200) {
              events++
              t.pending = !t.pending
            } else {
              failed++
              lastError = `${r.status} ${JSON.stringify(r.body)}`
            }
          })
          .catch((err: Error) => {
            failed++
            lastError = err.message
          })
          .finally(() => {
            idle.push(t)
            inflight.delete(p)
          })
        inflight.add(p)
      }
      await new Promise((r) => setTimeout(r, 10))
    }
    await Promise.all(inflight)
    const streamS = (Date.now() - started) / 1000
    if (failed) console.error(`${label}: ${failed} transitions failed, last: ${lastError}`)
    const drainBy = Date.now() + DRAIN_S * 1000
    while (firstSeen.size < events && Date.now() < drainBy) await new Promise((r) => setTimeout(r, 50))
    const busyS = (Date.now() - started) / 1000
    const benchUsed = process.cpuUsage(cpu0.bench)
    const share = (seconds: number) => Math.round((seconds / busyS) * 100)
    const cpu = {
      server: share(cpuSeconds(child.pid!) - cpu0.server),
      postgres: isPg ? share((await postgresCpuSeconds()) - cpu0.postgres) : null,
      bench: share((benchUsed.user + benchUsed.system) / 1e6),
    }

    const lat = [...firstSeen.values()].map((s) => s.at - s.eventAt).sort((a, b) => a - b)
    const arrivals = [...firstSeen.values()].map((s) => s.at)
    const spanS = arrivals.length > 1 ? (Math.max(...arrivals) - Math.min(...arrivals)) / 1000 : 1
    const result: Result = {
      name: label,
      sent,
      events,
      delivered: firstSeen.size,
      duplicates: received - firstSeen.size,
      eventRate: Math.round(events / streamS),
      deliveryRate: Math.round(firstSeen.size / spanS),
      p50: pct(lat, 50),
      p95: pct(lat, 95),
      p99: pct(lat, 99),
      max: lat.at(-1) ?? Number.NaN,
      undelivered: events - firstSeen.size,
      cpu,
    }
    console.error(
      `${label}: ${result.eventRate} events/s committed, ${result.deliveryRate} deliveries/s, latency p50 ${result.p50} ms, p95 ${result.p95} ms, p99 ${result.p99} ms, max ${result.max} ms, undelivered ${result.undelivered}, CPU server ${cpu.server}% postgres ${cpu.postgres ?? '–'}% bench ${cpu.bench}%`,
    )
    return result
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
    if (process.env.BENCH_KEEP_DATA === '1') console.error(`${label}: data kept in ${dataDir}`)
    else fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

const loadAtStart = loadAverage()
const results: Result[] = []
if (process.env.BENCH_SKIP_SQLITE !== '1') results.push(await benchWebhooks('SQLite', {}))
if (process.env.BENCH_SKIP_PG !== '1') {
  results.push(
    await withPgSchema((schema) =>
      benchWebhooks('PostgreSQL', { DATABASE_URL: PG_URL, HUMCLI_DB_SCHEMA: schema }),
    ),
  )
}
receiver.close()
agent.destroy()

const lines = [
  `# Webhook benchmark ${new Date().toISOString()}`,
  '',
  `Machine: ${machine()}; load average ${loadAtStart} at the start.`,
  `Command: \`npm run bench:webhooks\` (target ${RATE} status changes/s for ${DURATION} s over ${TASKS} tasks with a callback_url of one agent, accepted by ${OPERATORS} operators, HUMCLI_JOB_POLL_MS=${POLL_MS}; receiver and load generator in one process on the same machine as the server). Latency = first arrival at the receiver − the event's X-Timestamp. CPU = % of one core from the first status change to the last arrival (PostgreSQL: its backends for this database). Target: p95 < 1000 ms at 500 events/s.`,
  '',
  '| database | events/s committed | deliveries/s | p50 ms | p95 ms | p99 ms | max ms | undelivered | duplicates | CPU humcli | CPU PostgreSQL | CPU bench |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.eventRate} | ${r.deliveryRate} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} | ${r.undelivered} | ${r.duplicates} | ${r.cpu.server}% | ${r.cpu.postgres === null ? '–' : `${r.cpu.postgres}%`} | ${r.cpu.bench}% |`,
  ),
  '',
]
const out = lines.join('\n')
process.stdout.write(out)
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true })
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'webhooks-latest.md'), out)
