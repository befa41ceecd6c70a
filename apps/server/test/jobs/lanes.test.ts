// One agent's webhook targets that never answer must not hold up anyone else's work: a real
// `humcli serve` child runs the jobs; the scenario is set up through the API of an in-process
// server on the same database; a local listener accepts connections and never answers.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { sql } from 'kysely'
import { runDueJobs } from '../../src/worker/runner.ts'
import { driveTo, newAgent, newOperator, proofForm, taskBody } from '../helpers/fixtures.ts'
import {
  dbEnv,
  forEachDialect,
  startHumcliServe,
  startTestServer,
  type TestServer,
} from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'

const ENDPOINTS = 20
const TASKS = 50
const DRAIN_MS = 2_000
const START_MS = 90_000

async function hangingListener(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0
  const sockets = new Set<import('node:net').Socket>()
  const server = http.createServer(() => {
    hits++ // never answered
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise((r) => server.close(r))
    },
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The attempts of `agentId` running now: its deliveries an attempt holds the lock of. */
const runningOf = async (s: TestServer, agentId: string) =>
  Number(
    (
      await s.ctx.store.db
        .selectFrom('webhook_deliveries')
        .select(sql<bigint>`count(*)`.as('n'))
        .where('status', '=', 'pending')
        .where('agent_id', '=', agentId)
        .where('locked_until', '>', new Date().toISOString())
        .executeTakeFirstOrThrow()
    ).n,
  )

forEachDialect('job lanes', (dialect) => {
  test('20 endpoints that never answer and a backlog of 1,000 attempts: a Guardian review and a verification email of others stay fast; SIGTERM returns within the drain time', {
    timeout: 300_000,
  }, async (t) => {
    // Cleanup in reverse order: the child first, or it keeps connecting to the listener.
    const cleanup: (() => Promise<void>)[] = []
    t.after(async () => {
      for (const c of cleanup.reverse()) await c()
    })
    const s = await startTestServer(dialect)
    cleanup.push(() => s.close())
    s.clock.set(new Date()) // the child runs on the system clock
    const hang = await hangingListener()
    cleanup.push(() => hang.close())

    const sandbox = await newAgent(s) // SANDBOX: no money needed
    for (let i = 0; i < ENDPOINTS; i++) {
      const r = await sandbox.api.post('/webhooks', { url: `${hang.url}/hook-${i}`, events: ['*'] })
      assert.equal(r.status, 201, r.text)
    }
    for (let i = 0; i < TASKS; i++) {
      const r = await sandbox.api.post('/tasks', taskBody(s, { reward_usd: 0.1 }))
      assert.equal(r.status, 201, r.text)
      // The cancel is the event: one attempt per endpoint.
      const c = await sandbox.api.post(`/tasks/${r.body.task_id}/cancel`)
      assert.equal(c.status, 200, c.text)
    }
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    // The other agent's callbacks go to a receiver that answers.
    const rx = await startReceiver()
    cleanup.push(() => rx.close())
    const created = await agent.api.post('/tasks', { ...taskBody(s), callback_url: `${rx.url}/cb` })
    assert.equal(created.status, 201, created.text)
    const taskId = created.body.task_id as string
    await driveTo(s, agent, op, taskId, 'IN_PROGRESS')
    // The events fan out into one attempt per endpoint now, so the child starts on the whole backlog.
    await runDueJobs(s.ctx, 'w_fan_out', { kinds: ['webhooks.fan_out'] })
    const backlog = await s.ctx.store.db
      .selectFrom('webhook_deliveries')
      .select(sql<bigint>`count(*)`.as('n'))
      .where('status', '=', 'pending')
      .where('ready', '=', 1n)
      .executeTakeFirstOrThrow()
    assert.ok(Number(backlog.n) >= ENDPOINTS * TASKS, `a backlog of deliveries: ${backlog.n}`)

    const child = await startHumcliServe(
      {
        ...dbEnv(s.db),
        DATABASE_URL: s.db.databaseUrl,
        PORT: '0',
        LOG_LEVEL: 'error',
        HUMCLI_JOB_POLL_MS: '50',
        HUMCLI_JOB_DRAIN_MS: String(DRAIN_MS),
        HUMCLI_SANDBOX_STEP_MS: '3600000',
      },
      [],
      START_MS,
    )
    cleanup.push(() => child.stop())
    // The backlog is being worked on: the listener holds attempts open.
    await waitFor('the first attempts reach the listener', async () => hang.hits() > 0, 30_000)
    // The stalled agent borrows the slots nobody else wants, but a quarter of the lane stays free:
    // the other agent's three callbacks (accepted, approved, started) go out at once.
    const hanging = Date.now()
    await waitFor('the other agent’s callbacks', async () => rx.received.length >= 3, 30_000)
    const callbacksMs = Date.now() - hanging
    const proof = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form: proofForm() })
    assert.equal(proof.status, 200, proof.text)
    const submitted = Date.now() // the proof is committed, its review job queued
    const reviewed = await waitFor(
      'the Guardian review',
      async () => {
        const row = await s.ctx.store.db
          .selectFrom('tasks')
          .select('status')
          .where('id', '=', taskId)
          .executeTakeFirstOrThrow()
        return row.status !== 'SUBMITTED' ? row.status : null
      },
      30_000,
    )
    const reviewMs = Date.now() - submitted

    const registered = Date.now()
    await newAgent(s)
    const mail = await s.ctx.store.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', '=', 'email.send')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    await waitFor(
      'the verification email',
      async () =>
        s.ctx.store.db
          .selectFrom('jobs')
          .select('id')
          .where('id', '=', mail.id)
          .where('status', '=', 'done')
          .executeTakeFirst(),
      30_000,
    )
    const mailMs = Date.now() - registered
    const capped = await runningOf(s, sandbox.id)
    t.diagnostic(
      `${dialect}: review ${reviewMs} ms (→ ${reviewed}), verification email ${mailMs} ms, ` +
        `the other agent's callbacks ${callbacksMs} ms, ` +
        `listener hits ${hang.hits()}, the sandbox agent's attempts running: ${capped}`,
    )
    assert.ok(reviewMs < 2_000, `the Guardian review took ${reviewMs} ms behind the stalled deliveries`)
    assert.ok(mailMs < 2_000, `the verification email took ${mailMs} ms`)
    assert.ok(callbacksMs < 2_000, `the other agent's callbacks took ${callbacksMs} ms`)
    // Its share (2) and what it may borrow: all but the last quarter of the 16 slots.
    assert.ok(capped <= 12, `${capped} attempts of one agent running at once (at most 12)`)

    const term = Date.now()
    child.child.kill('SIGTERM')
    await new Promise((r) => child.child.once('exit', r))
    const termMs = Date.now() - term
    t.diagnostic(`${dialect}: SIGTERM → exit ${termMs} ms (drain ${DRAIN_MS} ms)`)
    assert.ok(termMs < DRAIN_MS + 5_000, `SIGTERM took ${termMs} ms`)
    const stillClaimed = await s.ctx.store.db
      .selectFrom('jobs')
      .select(['id', 'kind'])
      .where('status', '=', 'running')
      .execute()
    assert.deepEqual(stillClaimed, [], 'no job is left claimed')
    const stillLocked = await s.ctx.store.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('locked_until', 'is not', null)
      .execute()
    assert.deepEqual(stillLocked, [], 'the attempts still running at the drain limit were given back')
  })
})
