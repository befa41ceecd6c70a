/**
 * Tenancy and roles (spec §1, §2): another agent's or operator's object is "not found", exactly
 * like an id that never existed; a credential of one role is refused on another role's endpoints;
 * revoked keys stop working. Every refused attempt leaves the target untouched.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { newId } from '../../src/domain/ids.ts'
import { type ApiResponse, type Client, client, request } from '../helpers/api.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  type OperatorFixture,
  proofForm,
  taskBody,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { assertErrorEnvelope, snapshot } from './refusal-checks.ts'

interface World {
  s: TestServer
  a: AgentFixture
  b: AgentFixture
  x: OperatorFixture
  y: OperatorFixture
  admin: { id: string; token: string; api: Client }
  aKeyId: string
  t: Record<'pending' | 'estimate' | 'submitted' | 'completed' | 'accepted' | 'inProgress' | 'bOwn', string>
}

async function setUp(s: TestServer): Promise<World> {
  const a = await newAgent(s, { tier: 'VERIFIED', deposit: 200 })
  const b = await newAgent(s, { tier: 'VERIFIED', deposit: 200 })
  const x = await newOperator(s)
  const y = await newOperator(s)
  const admin = await newAdmin(s)
  const keys = await a.api.get('/agents/keys')
  const at = async (step: Parameters<typeof driveTo>[4]) => {
    const id = await createTask(s, a)
    await driveTo(s, a, x, id, step)
    return id
  }
  const completed = await at('SUBMITTED')
  const v = await a.api.post(`/tasks/${completed}/verify`, { decision: 'APPROVE' })
  assert.equal(v.status, 200, v.text)
  return {
    s,
    a,
    b,
    x,
    y,
    admin,
    aKeyId: keys.body.data[0].id,
    t: {
      pending: await at('PENDING'),
      estimate: await at('ESTIMATE_PENDING'),
      submitted: await at('SUBMITTED'),
      completed,
      accepted: await at('ACCEPTED'),
      inProgress: await at('IN_PROGRESS'),
      bOwn: await createTask(s, b),
    },
  }
}

/** Everything about a task that a refused request must not change. */
async function taskState(s: TestServer, id: string) {
  const db = s.ctx.store.db
  const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const transitions = await db.selectFrom('task_transitions').selectAll().where('task_id', '=', id).execute()
  const files = await db.selectFrom('files').select('id').where('task_id', '=', id).execute()
  return { row, transitions: transitions.length, files: files.length }
}

/** A 404 that says nothing a 404 for a made-up id would not say. */
function assertSameNotFound(mine: ApiResponse, none: ApiResponse): void {
  assertErrorEnvelope(mine, 404, 'NOT_FOUND')
  assertErrorEnvelope(none, 404, 'NOT_FOUND')
  const strip = (r: ApiResponse) => ({ ...r.body, request_id: undefined })
  assert.deepEqual(strip(mine), strip(none))
  const headerNames = (r: ApiResponse) =>
    [...r.headers.keys()].filter((h) => !['date', 'x-request-id', 'content-length'].includes(h)).sort()
  assert.deepEqual(headerNames(mine), headerNames(none))
  assert.equal(mine.text.length, none.text.length)
}

type Call = [method: string, path: (id: string) => string, body?: unknown]
type Cred = { key?: string; token?: string }

forEachDialect('tenancy and roles', (dialect) => {
  const server = useServer(dialect)
  let w: World
  before(async () => {
    w = await setUp(server())
  })

  test("agent B gets the same 404 as for a made-up id on every endpoint that takes A's task id", async () => {
    const cases: [Call, keyof World['t']][] = [
      [['GET', (id) => `/tasks/${id}`], 'pending'],
      [['POST', (id) => `/tasks/${id}/estimate/approve`], 'estimate'],
      [['POST', (id) => `/tasks/${id}/estimate/reject`, { reason: 'too slow' }], 'estimate'],
      [['POST', (id) => `/tasks/${id}/verify`, { decision: 'REJECT', reason: 'bad' }], 'submitted'],
      [['POST', (id) => `/tasks/${id}/verify`, { decision: 'APPROVE' }], 'submitted'],
      [['POST', (id) => `/tasks/${id}/cancel`], 'pending'],
      [['POST', (id) => `/tasks/${id}/cancel`], 'estimate'],
      [['POST', (id) => `/tasks/${id}/rating`, { score: 1, comment: 'sabotage' }], 'completed'],
    ]
    for (const [[method, path, body], which] of cases) {
      const id = w.t[which]
      const before = await taskState(w.s, id)
      const all = await snapshot(w.s)
      const mine = await w.b.api.call(method, path(id), { body })
      const none = await w.b.api.call(method, path(newId('task')), { body })
      assertSameNotFound(mine, none)
      assert.deepEqual(await taskState(w.s, id), before, `${method} ${path(id)} changed A's task`)
      assert.deepEqual(await snapshot(w.s), all, `${method} ${path(id)} wrote something`)
    }
  })

  test('and with the same calls, A itself succeeds: the 404s were about ownership, not state', async () => {
    assert.equal((await w.a.api.get(`/tasks/${w.t.pending}`)).status, 200)
    assert.equal((await w.a.api.post(`/tasks/${w.t.estimate}/estimate/approve`)).status, 200)
    assert.equal((await w.a.api.post(`/tasks/${w.t.submitted}/verify`, { decision: 'APPROVE' })).status, 200)
    assert.equal((await w.a.api.post(`/tasks/${w.t.completed}/rating`, { score: 5 })).status, 201)
    assert.equal((await w.a.api.post(`/tasks/${w.t.pending}/cancel`)).status, 200)
  })

  test("agent B gets the same 404 for A's API key as for a made-up key id, and A's key keeps working", async () => {
    const mine = await w.b.api.delete(`/agents/keys/${w.aKeyId}`)
    const none = await w.b.api.delete(`/agents/keys/${newId('key')}`)
    assertSameNotFound(mine, none)
    assert.equal(mine.body.error, 'API key not found.')
    assert.equal((await w.a.api.get('/agents/me')).status, 200)
    const keys = await w.a.api.get('/agents/keys')
    assert.deepEqual(
      keys.body.data.map((k: { id: string }) => k.id),
      [w.aKeyId],
    )
  })

  test("B's task list never contains A's tasks, whatever the filter", async () => {
    const aIds = new Set(Object.entries(w.t).flatMap(([k, id]) => (k === 'bOwn' ? [] : [id])))
    const filters = [
      '',
      '?limit=100',
      '?status=PENDING',
      '?status=COMPLETED',
      '?status=ACCEPTED',
      '?task_type=PHOTO',
    ]
    for (const q of filters) {
      const r = await w.b.api.get(`/tasks${q}`)
      assert.equal(r.status, 200, r.text)
      const ids = r.body.data.map((t: { task_id: string }) => t.task_id)
      assert.ok(!ids.some((id: string) => aIds.has(id)), `B's list ${q} leaked ${ids}`)
      assert.ok(
        ids.every((id: string) => id === w.t.bOwn),
        `B's list ${q}: ${ids}`,
      )
      assert.equal(r.body.pagination.total, ids.length, `total counts only B's tasks (${q})`)
    }
    assert.deepEqual(
      (await w.b.api.get('/tasks')).body.data.map((t: { task_id: string }) => t.task_id),
      [w.t.bOwn],
    )
  })

  test('operator Y cannot see or act on tasks operator X holds (404), nor take them (409)', async () => {
    const held = [w.t.accepted, w.t.inProgress]
    const before = await Promise.all(held.map((id) => taskState(w.s, id)))
    const all = await snapshot(w.s)
    const calls: Call[] = [
      ['GET', (id) => `/operator/tasks/${id}`],
      ['POST', (id) => `/operator/tasks/${id}/start`],
      ['POST', (id) => `/operator/tasks/${id}/release`, { reason: 'mine now' }],
    ]
    for (const id of held) {
      for (const [method, path, body] of calls) {
        assertSameNotFound(
          await w.y.api.call(method, path(id), { body }),
          await w.y.api.call(method, path(newId('task')), { body }),
        )
      }
      const proof = (taskId: string) =>
        request(w.s.url, 'POST', `/operator/tasks/${taskId}/proof`, { token: w.y.token, form: proofForm() })
      assertSameNotFound(await proof(id), await proof(newId('task')))
      const acc = await w.y.api.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 })
      assertErrorEnvelope(acc, 409, 'CONFLICT')
    }
    assert.deepEqual(await Promise.all(held.map((id) => taskState(w.s, id))), before)
    assert.deepEqual(await snapshot(w.s), all, "Y's attempts wrote something")
    for (const path of ['/operator/tasks/mine', '/operator/tasks?limit=100']) {
      const ids = (await w.y.api.get(path)).body.data.map((t: { task_id: string }) => t.task_id)
      assert.ok(!held.some((id) => ids.includes(id)), `${path} shows X's tasks to Y`)
    }
    // X, who holds them, can do what Y could not.
    assert.equal((await w.x.api.get(`/operator/tasks/${w.t.inProgress}`)).status, 200)
    const start = await w.x.api.post(`/operator/tasks/${w.t.accepted}/start`)
    assert.equal(start.status, 200, start.text)
    assert.equal(start.body.status, 'IN_PROGRESS')
  })

  test('each role is refused on the endpoints of the others (403); missing or dead credentials are 401', async () => {
    const s = w.s
    const someTask = w.t.bOwn
    const agentCalls: Call[] = [
      ['GET', () => '/agents/me'],
      ['GET', () => '/agents/balance'],
      ['GET', () => '/agents/keys'],
      ['POST', () => '/agents/keys', { name: 'sneaky' }],
      ['DELETE', () => `/agents/keys/${w.aKeyId}`],
      ['GET', () => '/tasks'],
      ['POST', () => '/tasks', taskBody(s)],
      ['GET', () => `/tasks/${someTask}`],
      ['POST', () => `/tasks/${someTask}/cancel`],
      ['POST', () => `/tasks/${someTask}/verify`, { decision: 'APPROVE' }],
    ]
    const operatorCalls: Call[] = [
      ['GET', () => '/operator/me'],
      ['GET', () => '/operator/tasks'],
      ['GET', () => '/operator/tasks/mine'],
      ['GET', () => '/operator/earnings'],
      ['GET', () => `/operator/tasks/${someTask}`],
      ['POST', () => `/operator/tasks/${someTask}/accept`, { estimate_hours: 1 }],
      ['POST', () => `/operator/tasks/${w.t.inProgress}/release`],
    ]
    const adminCalls: Call[] = [
      ['GET', () => '/admin/tasks?status=DISPUTED'],
      ['GET', () => '/admin/ledger-check'],
      ['POST', () => `/admin/agents/${w.b.id}/tier`, { tier: 'STANDARD' }],
      ['POST', () => `/admin/agents/${w.b.id}/restriction`, { restricted: true, reason: 'x' }],
      ['POST', () => `/admin/tasks/${someTask}/review`, { decision: 'APPROVE' }],
      ['POST', () => `/admin/operators/${w.y.id}/kyc`, { decision: 'REJECT' }],
    ]
    // Live credentials of another role are a 403; dead ones (made up, revoked) of any role a 401.
    const spare = await w.b.api.post('/agents/keys', { name: 'to revoke' })
    assert.equal((await w.b.api.delete(`/agents/keys/${spare.body.id}`)).status, 200)
    const live = { agent: { key: w.a.key }, operator: { token: w.x.token }, admin: { token: w.admin.token } }
    const dead = [
      { key: spare.body.key as string },
      { key: `ho_live_${'A'.repeat(48)}` },
      { token: 'not.a.jwt' },
      { token: 'hadm_not-a-real-token' },
    ]
    const matrix: [Call[], Cred[]][] = [
      [agentCalls, [live.operator, live.admin]],
      [operatorCalls, [live.agent, live.admin]],
      [adminCalls, [live.agent, live.operator]],
    ]
    const all = await snapshot(s)
    const agentsBefore = await s.ctx.store.db.selectFrom('agents').selectAll().orderBy('id').execute()
    const opsBefore = await s.ctx.store.db.selectFrom('operators').selectAll().orderBy('id').execute()
    let calls = 0
    for (const [endpoints, wrongRoles] of matrix) {
      for (const [method, path, body] of endpoints) {
        const say = (cred: Cred) => `${method} ${path('')} with ${JSON.stringify(cred)}`
        for (const cred of wrongRoles) {
          const r = await request(s.url, method, path(''), { ...cred, body })
          assert.equal(r.status, 403, `${say(cred)}: ${r.text}`)
          assertErrorEnvelope(r, 403, 'FORBIDDEN')
          calls++
        }
        for (const cred of [{}, ...dead]) {
          const r = await request(s.url, method, path(''), { ...cred, body })
          assert.equal(r.status, 401, `${say(cred)}: ${r.text}`)
          assertErrorEnvelope(r, 401, 'UNAUTHORIZED')
          calls++
        }
      }
    }
    assert.equal(calls, 7 * (agentCalls.length + operatorCalls.length + adminCalls.length))
    assert.deepEqual(await snapshot(s), all, 'a refused role wrote something')
    assert.deepEqual(
      await s.ctx.store.db.selectFrom('agents').selectAll().orderBy('id').execute(),
      agentsBefore,
    )
    assert.deepEqual(
      await s.ctx.store.db.selectFrom('operators').selectAll().orderBy('id').execute(),
      opsBefore,
    )
  })

  test('a key revoked with DELETE /agents/keys/:id stops working (401); the last key cannot be revoked (409)', async () => {
    const s = w.s
    const agent = await newAgent(s)
    const created = await agent.api.post('/agents/keys', { name: 'ci' })
    assert.equal(created.status, 201, created.text)
    const second = client(s.url, { key: created.body.key })
    assert.equal((await second.get('/agents/me')).status, 200)

    const del = await agent.api.delete(`/agents/keys/${created.body.id}`)
    assert.equal(del.status, 200, del.text)
    assertErrorEnvelope(await second.get('/agents/me'), 401, 'UNAUTHORIZED')
    assertErrorEnvelope(await second.get('/tasks'), 401, 'UNAUTHORIZED')
    const before = await snapshot(s)
    assertErrorEnvelope(await second.post('/tasks', taskBody(s)), 401, 'UNAUTHORIZED')
    assert.deepEqual(await snapshot(s), before)
    const again = await agent.api.delete(`/agents/keys/${created.body.id}`)
    assertErrorEnvelope(again, 404, 'NOT_FOUND')
    assert.equal(again.body.error, 'API key not found.')
    // A revoked key cannot revoke anything either, not even the survivor.
    const [live] = (await agent.api.get('/agents/keys')).body.data
    assertErrorEnvelope(await second.delete(`/agents/keys/${live.id}`), 401, 'UNAUTHORIZED')

    const last = await agent.api.delete(`/agents/keys/${live.id}`)
    assertErrorEnvelope(last, 409, 'CONFLICT')
    assert.match(last.body.error, /last API key/)
    assert.equal((await agent.api.get('/agents/me')).status, 200, 'the last key still works')
    assert.equal((await agent.api.get('/agents/keys')).body.data.length, 1)
  })
})
