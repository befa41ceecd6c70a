import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { createStore } from '../../src/store/db.ts'
import { createTask, driveTo, newAgent, newOperator } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'

// GET /tasks/{id} serves a per-process cached view, checked against the task's version on every
// read (ADR 0004); views without photo links are kept as JSON text (ADR 0010).
forEachDialect('the cached task view', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startTestServer(dialect)
  })
  after(() => s.close())

  test('repeated reads give the same JSON, typed as JSON', async () => {
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const id = await createTask(s, agent)
    const a = await agent.api.get(`/tasks/${id}`)
    const b = await agent.api.get(`/tasks/${id}`)
    assert.equal(a.status, 200)
    assert.equal(a.headers.get('content-type'), 'application/json; charset=utf-8')
    assert.equal(b.text, a.text)
    assert.equal(a.body.task_id, id)
    assert.equal(a.body.status, 'PENDING')
  })

  test('a change through the API shows at once', async () => {
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const id = await createTask(s, agent)
    assert.equal((await agent.api.get(`/tasks/${id}`)).body.status, 'PENDING')
    assert.equal((await agent.api.post(`/tasks/${id}/cancel`, { reason: 'changed plans' })).status, 200)
    const after = await agent.api.get(`/tasks/${id}`)
    assert.equal(after.body.status, 'CANCELLED')
    assert.equal(after.body.cancel_reason, 'changed plans')
  })

  test('a change committed by another process (another connection) shows at once', async () => {
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const id = await createTask(s, agent)
    assert.equal((await agent.api.get(`/tasks/${id}`)).body.title, 'Photograph the storefront')
    const other = createStore({ databaseUrl: s.db.databaseUrl, databaseSchema: s.db.databaseSchema })
    try {
      await other.db
        .updateTable('tasks')
        .set({ title: 'Renamed elsewhere', version: sql`version + 1` })
        .where('id', '=', id)
        .execute()
    } finally {
      await other.close()
    }
    assert.equal((await agent.api.get(`/tasks/${id}`)).body.title, 'Renamed elsewhere')
  })

  test('photo links are signed afresh for each response', async () => {
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const id = await createTask(s, agent)
    await driveTo(s, agent, op, id, 'SUBMITTED')
    const first = await agent.api.get(`/tasks/${id}`)
    s.clock.advance(60_000)
    const second = await agent.api.get(`/tasks/${id}`)
    const expiry = (url: string) => Number(new URL(url).searchParams.get('expires'))
    const [a, b] = [first.body.proof.photos[0], second.body.proof.photos[0]]
    assert.equal(expiry(b) - expiry(a), 60)
    assert.deepEqual({ ...second.body, proof: null }, { ...first.body, proof: null })
  })
})
