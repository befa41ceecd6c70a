/**
 * Tenancy and roles (spec §1, §2) beyond the matrix: the matrix over every route
 * (authorization-matrix.test.ts) checks 404 for another tenant's object and 401/403 for roles;
 * here, that the owner succeeds where others got 404, lists never leak, operators cannot take
 * each other's tasks, and revoked keys stop working.
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

forEachDialect('tenancy and roles', (dialect) => {
  const server = useServer(dialect)
  let w: World
  before(async () => {
    w = await setUp(server())
  })

  test('A itself succeeds on its own tasks where B gets 404: the 404s are about ownership, not state', async () => {
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
