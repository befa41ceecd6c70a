/**
 * The authorization matrix, built from the route table (issue 16; issue 11): every route the app
 * adds is collected with Fastify's `onRoute`. Each route with a role is refused without a
 * credential (401) and with a live credential of every other role (403); a route without a role
 * must be listed as public. Every route that takes an id must have a cell below: another
 * tenant's object answers exactly like a made-up id (404), and nothing is written. A new route
 * without a cell, or a cell without a route, fails the test.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { before, test } from 'node:test'
import type { RouteOptions } from 'fastify'
import { type ApiResponse, request } from '../helpers/api.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  type OperatorFixture,
  proofForm,
  txHash,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { assertErrorEnvelope, snapshot } from './refusal-checks.ts'

type Role = 'agent' | 'operator' | 'admin'
interface Route {
  method: string
  url: string
  role: Role | 'public'
}

interface World {
  s: TestServer
  /** The attacker agent and operator, and the owners of the objects they go for. */
  a: AgentFixture
  b: AgentFixture
  x: OperatorFixture
  y: OperatorFixture
  admin: { token: string }
  /** B's task, held (IN_PROGRESS) by operator X; B's spare key, endpoint and a delivery to it. */
  ids: { task: string; key: string; endpoint: string; delivery: string; deposit: string }
}

interface Cell {
  /** The object of another tenant the attacker aims at; null where there are no tenants (staff, signed URLs). */
  foreign: ((w: World) => string) | null
  /** A valid body, so the answer is about the id and not about the input. */
  body?: unknown
  form?: () => FormData
  /** The id prefix of a made-up id. */
  prefix: string
  /** A made-up id of another shape than `<prefix>_<hex>` (a transaction hash). */
  madeUp?: () => string
  /** When another tenant's object is not a 404, and why. */
  foreignStatus?: { status: number; code: string; why: string }
  query?: string
}

const task = (w: World) => w.ids.task
const CELLS: Record<string, Cell> = {
  'GET /api/v1/tasks/:id': { foreign: task, prefix: 'task' },
  'POST /api/v1/tasks/:id/estimate/approve': { foreign: task, prefix: 'task' },
  'POST /api/v1/tasks/:id/estimate/reject': { foreign: task, prefix: 'task', body: { reason: 'too slow' } },
  'POST /api/v1/tasks/:id/verify': { foreign: task, prefix: 'task', body: { decision: 'APPROVE' } },
  'POST /api/v1/tasks/:id/cancel': { foreign: task, prefix: 'task' },
  'POST /api/v1/tasks/:id/retrieve-credential': { foreign: task, prefix: 'task' },
  'POST /api/v1/tasks/:id/rating': { foreign: task, prefix: 'task', body: { score: 1 } },
  'DELETE /api/v1/agents/keys/:id': { foreign: (w) => w.ids.key, prefix: 'key' },
  'DELETE /api/v1/webhooks/:id': { foreign: (w) => w.ids.endpoint, prefix: 'whe' },
  'POST /api/v1/webhooks/:id/test': { foreign: (w) => w.ids.endpoint, prefix: 'whe' },
  'GET /api/v1/webhooks/:id/deliveries': { foreign: (w) => w.ids.endpoint, prefix: 'whe' },
  'POST /api/v1/webhooks/:id/rotate-secret': { foreign: (w) => w.ids.endpoint, prefix: 'whe' },
  'POST /api/v1/webhooks/deliveries/:id/redeliver': { foreign: (w) => w.ids.delivery, prefix: 'whd' },
  'GET /api/v1/operator/tasks/:id': { foreign: task, prefix: 'task' },
  'POST /api/v1/operator/tasks/:id/accept': {
    foreign: task,
    prefix: 'task',
    body: { estimate_hours: 1 },
    foreignStatus: {
      status: 409,
      code: 'CONFLICT',
      why: 'an open task is public to operators; a held one is taken',
    },
  },
  'POST /api/v1/operator/tasks/:id/start': { foreign: task, prefix: 'task' },
  'POST /api/v1/operator/tasks/:id/release': { foreign: task, prefix: 'task' },
  'POST /api/v1/operator/tasks/:id/proof': { foreign: task, prefix: 'task', form: () => proofForm() },
  'GET /api/v1/admin/tasks/:id': { foreign: null, prefix: 'task' },
  'GET /api/v1/admin/agents/:id': { foreign: null, prefix: 'ag' },
  'GET /api/v1/admin/operators/:id': { foreign: null, prefix: 'op' },
  'GET /api/v1/admin/operators/:id/kyc-documents': { foreign: null, prefix: 'op' },
  'POST /api/v1/admin/tasks/:id/review': { foreign: null, prefix: 'task', body: { decision: 'APPROVE' } },
  'POST /api/v1/admin/tasks/:id/resolve': {
    foreign: null,
    prefix: 'task',
    body: { outcome: 'REFUND_AGENT', note: 'matrix' },
  },
  'POST /api/v1/admin/operators/:id/kyc': { foreign: null, prefix: 'op', body: { decision: 'APPROVE' } },
  'POST /api/v1/admin/agents/:id/tier': { foreign: null, prefix: 'ag', body: { tier: 'STANDARD' } },
  'POST /api/v1/admin/agents/:id/restriction': { foreign: null, prefix: 'ag', body: { restricted: true } },
  'POST /api/v1/admin/payouts/:id/reconcile': {
    foreign: null,
    prefix: 'payout',
    body: { outcome: 'FAILED' },
  },
  'GET /api/v1/agents/deposits/:tx_hash': {
    foreign: (w) => w.ids.deposit,
    prefix: 'tx',
    madeUp: () => txHash(),
  },
  'GET /api/v1/files/:id': {
    foreign: null,
    prefix: 'file',
    query: `?expires=4102444800&signature=${'0'.repeat(64)}`,
  },
}

/** Routes anyone may call: registration, login, email links, signed file URLs, documents, probes. */
const PUBLIC = new Set([
  'POST /api/v1/agents/register',
  'GET /api/v1/agents/verify-email',
  'POST /api/v1/operator/register',
  'POST /api/v1/operator/login',
  // Browser sessions: each proves itself with a refresh cookie, a password + TOTP, a set-up or
  // magic-link token, or an API key in the body (ADR 0015, ADR 0014).
  'POST /api/v1/operator/session',
  'POST /api/v1/operator/session/refresh',
  'POST /api/v1/operator/session/logout',
  'POST /api/v1/staff/session',
  'POST /api/v1/staff/session/refresh',
  'POST /api/v1/staff/session/logout',
  'GET /api/v1/staff/setup',
  'POST /api/v1/staff/setup',
  'POST /api/v1/dashboard/login-link',
  'POST /api/v1/dashboard/session',
  'POST /api/v1/dashboard/session/refresh',
  'POST /api/v1/dashboard/session/logout',
  'GET /api/v1/files/:id',
  'GET /api/v1/openapi.json',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
])

/** The role a route declares: its OpenAPI security (apiKey = agent; bearer = operator, or admin under /admin). */
function roleOf(route: RouteOptions): Route['role'] {
  const security = (route.schema as { security?: Record<string, unknown>[] } | undefined)?.security
  if (!security?.length) return 'public'
  // A refresh cookie (operatorSession, staffSession, agentSession): PUBLIC lists these routes.
  if (security.every((s) => Object.keys(s).every((k) => k.endsWith('Session')))) return 'public'
  if (security.some((s) => 'apiKey' in s)) return 'agent'
  return route.url.startsWith('/api/v1/admin/') || route.url.startsWith('/api/v1/staff/')
    ? 'admin'
    : 'operator'
}

const made = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`
const fill = (url: string, id: string) => url.replace('/api/v1', '').replace(/:[a-z_]+/, id)

/**
 * A 404 that says nothing a 404 for a made-up id would not say. A message may repeat the id the
 * caller sent (the two ids are of equal length); apart from it, the answers are identical.
 */
function assertSameNotFound(
  what: string,
  mine: ApiResponse & { id: string },
  none: ApiResponse & { id: string },
): void {
  assert.equal(mine.status, 404, `${what}: ${mine.text}`)
  assertErrorEnvelope(mine, 404, 'NOT_FOUND')
  assertErrorEnvelope(none, 404, 'NOT_FOUND')
  const strip = (r: ApiResponse & { id: string }) => ({
    ...r.body,
    error: String(r.body.error).replaceAll(r.id, '<id>'),
    request_id: undefined,
  })
  assert.deepEqual(strip(mine), strip(none), what)
  const bare = (r: ApiResponse & { id: string }) => r.text.replaceAll(r.id, '<id>')
  assert.equal(bare(mine).length, bare(none).length, what)
}

async function setUp(s: TestServer): Promise<World> {
  const [a, b] = [
    await newAgent(s, { tier: 'VERIFIED', deposit: 100 }),
    await newAgent(s, { tier: 'VERIFIED', deposit: 100 }),
  ]
  const [x, y] = [await newOperator(s), await newOperator(s)]
  const admin = await newAdmin(s)
  const taskId = await createTask(s, b)
  await driveTo(s, b, x, taskId, 'IN_PROGRESS')
  const key = await b.api.post('/agents/keys', { name: 'spare' })
  const ep = await b.api.post('/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] })
  assert.equal(ep.status, 201, ep.text)
  assert.equal((await b.api.post(`/webhooks/${ep.body.id}/test`)).status, 202)
  const deliveries = await b.api.get(`/webhooks/${ep.body.id}/deliveries`)
  const deposit = txHash()
  assert.equal(
    (await b.api.post('/agents/deposit/usdc', { tx_hash: deposit, amount_usdc: 1, chain: 'base' })).status,
    201,
  )
  return {
    s,
    a,
    b,
    x,
    y,
    admin,
    ids: {
      task: taskId,
      key: key.body.id,
      endpoint: ep.body.id,
      delivery: deliveries.body.data[0].id,
      deposit,
    },
  }
}

forEachDialect('authorization matrix from the route table', (dialect) => {
  const routes: Route[] = []
  const server = useServer(
    dialect,
    {},
    {
      onRoute: (r) => {
        for (const method of [r.method].flat()) {
          if (method !== 'HEAD') routes.push({ method, url: r.url, role: roleOf(r) })
        }
      },
    },
  )
  let w: World
  before(async () => {
    w = await setUp(server())
  })
  const name = (r: Route) => `${r.method} ${r.url}`
  const live = (): Record<Role, { key?: string; token?: string }> => ({
    agent: { key: w.a.key },
    operator: { token: w.y.token },
    admin: { token: w.admin.token },
  })

  test('every route has a role or is listed public; every id-bearing route has a cell', () => {
    const api = routes.filter((r) => !r.url.startsWith('/docs'))
    assert.ok(api.length >= 50, `routes collected: ${api.length}`)
    // The web app's files (GET, outside /api) are public by nature: the app, not data.
    const webFile = (r: Route) => r.method === 'GET' && !r.url.startsWith('/api/') && !PUBLIC.has(name(r))
    const unlisted = api.filter((r) => r.role === 'public' && !PUBLIC.has(name(r)) && !webFile(r)).map(name)
    assert.deepEqual(unlisted, [], 'routes without a role that are not listed as public')
    const withId = api
      .filter((r) => r.url.includes(':'))
      .map(name)
      .sort()
    assert.deepEqual(withId, Object.keys(CELLS).sort(), 'id-bearing routes and cells differ')
  })

  test('no credential is 401 and a live credential of another role is 403, on every route with a role', async () => {
    let cells = 0
    const before = await snapshot(w.s)
    for (const r of routes.filter((r) => r.role !== 'public')) {
      const path = fill(r.url, made('x'))
      const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : {}
      const none = await request(w.s.url, r.method, path, { body })
      assert.equal(none.status, 401, `${name(r)} without a credential: ${none.text}`)
      assertErrorEnvelope(none, 401, 'UNAUTHORIZED')
      for (const [role, cred] of Object.entries(live())) {
        if (role === r.role) continue
        const res = await request(w.s.url, r.method, path, { ...cred, body })
        assert.equal(res.status, 403, `${name(r)} as ${role}: ${res.text}`)
        assertErrorEnvelope(res, 403, 'FORBIDDEN')
      }
      cells += 3
    }
    assert.deepEqual(await snapshot(w.s), before, 'a refused role wrote something')
    console.log(`role cells checked: ${cells}`)
  })

  test("another tenant's object answers as a made-up id does, and nothing is written", async () => {
    let cells = 0
    for (const r of routes.filter((r) => CELLS[name(r)])) {
      const cell = CELLS[name(r)]!
      const cred = r.role === 'public' ? {} : live()[r.role]
      const call = (id: string) =>
        request(w.s.url, r.method, fill(r.url, id) + (cell.query ?? ''), {
          ...cred,
          body: cell.body,
          form: cell.form?.(),
        })
      const noneId = cell.madeUp?.() ?? made(cell.prefix)
      const none = await call(noneId)
      if (r.role === 'public') {
        assert.ok(none.status >= 400 && none.status < 500, `${name(r)} with a forged signature: ${none.text}`)
        cells++
        continue
      }
      assertErrorEnvelope(none, 404, 'NOT_FOUND')
      cells++
      if (!cell.foreign) continue
      const before = await snapshot(w.s)
      const mineId = cell.foreign(w)
      const mine = await call(mineId)
      if (cell.foreignStatus) assertErrorEnvelope(mine, cell.foreignStatus.status, cell.foreignStatus.code)
      else
        assertSameNotFound(
          `${name(r)} on another tenant's object`,
          { ...mine, id: mineId },
          { ...none, id: noneId },
        )
      assert.deepEqual(await snapshot(w.s), before, `${name(r)} wrote something`)
      cells++
    }
    // The owners still have everything the attackers went for.
    const task = await w.b.api.get(`/tasks/${w.ids.task}`)
    assert.equal(task.body.status, 'IN_PROGRESS')
    const eps = (await w.b.api.get('/webhooks')).body.data ?? (await w.b.api.get('/webhooks')).body
    assert.ok(JSON.stringify(eps).includes(w.ids.endpoint), "B's endpoint is still there")
    const keys = (await w.b.api.get('/agents/keys')).body.data.map((k: { id: string }) => k.id)
    assert.ok(keys.includes(w.ids.key), "B's spare key is still there")
    console.log(`tenancy cells checked: ${cells}`)
  })
})
