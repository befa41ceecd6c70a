import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_WAIT_UNTIL, Humcli, type TaskStatus, WaitTimeoutError } from '@humcli/sdk'
import { createTask, newAgent, newOperator, proofForm } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'

/**
 * A client whose pauses do not wait: each pause is recorded, moves a fake clock, and then runs
 * the next scripted step (an operator or agent action through the real API) — so the polling
 * schedule is checked exactly, with no sleeping.
 */
async function setup(s: TestServer) {
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  const op = await newOperator(s)
  const taskId = await createTask(s, agent)
  const sleeps: number[] = []
  const steps: Array<() => Promise<unknown>> = []
  let now = 0
  const humcli = new Humcli({
    apiKey: agent.key,
    baseUrl: s.url,
    timers: {
      now: () => now,
      sleep: async (ms, signal) => {
        signal?.throwIfAborted()
        sleeps.push(ms)
        now += ms
        await steps.shift()?.()
      },
    },
  })
  const seen: Array<[TaskStatus, TaskStatus | null]> = []
  const onStatus = (t: { status: TaskStatus }, prev: TaskStatus | null) => void seen.push([t.status, prev])
  return { agent, op, taskId, humcli, sleeps, steps, seen, onStatus }
}

const ok = async (p: Promise<{ status: number; text: string }>) => {
  const r = await p
  assert.equal(r.status, 200, r.text)
}

forEachDialect('SDK waitForTask against a real server', (dialect) => {
  const server = useServer(dialect)

  test('polls with 5 s × 1.5 backoff, reports each status change once, stops at the asked status', async () => {
    const s = server()
    const { op, taskId, humcli, sleeps, steps, seen, onStatus } = await setup(s)
    steps.push(
      async () => {},
      () => ok(op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })),
    )
    const t = await humcli.waitForTask(taskId, { until: 'ESTIMATE_PENDING', onStatus })
    assert.equal(t.status, 'ESTIMATE_PENDING')
    assert.deepEqual(sleeps, [5000, 7500])
    assert.deepEqual(seen, [
      ['PENDING', null],
      ['ESTIMATE_PENDING', 'PENDING'],
    ])
  })

  test('by default runs through the work to COMPLETED, with the delay capped at maxDelayMs', async () => {
    const s = server()
    const { agent, op, taskId, humcli, sleeps, steps, seen, onStatus } = await setup(s)
    steps.push(
      () => ok(op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })),
      () => ok(agent.api.post(`/tasks/${taskId}/estimate/approve`)),
      () => ok(op.api.post(`/operator/tasks/${taskId}/start`)),
      () => ok(op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form: proofForm() })),
      () => ok(agent.api.post(`/tasks/${taskId}/verify`, { decision: 'APPROVE' })),
    )
    const t = await humcli.waitForTask(taskId, {
      onStatus,
      initialDelayMs: 1000,
      factor: 2,
      maxDelayMs: 3000,
    })
    assert.equal(t.status, 'COMPLETED')
    assert.deepEqual(sleeps, [1000, 2000, 3000, 3000, 3000])
    assert.deepEqual(
      seen.map(([to]) => to),
      ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS', 'SUBMITTED', 'COMPLETED'],
    )
    assert.deepEqual(DEFAULT_WAIT_UNTIL, ['COMPLETED', 'CANCELLED', 'DISPUTED', 'MANUAL_REVIEW'])
  })

  test('times out with a WaitTimeoutError carrying the last task; the last pause lands on the limit', async () => {
    const s = server()
    const { taskId, humcli, sleeps } = await setup(s)
    await assert.rejects(
      humcli.waitForTask(taskId, { timeoutMs: 20_000, factor: 2, maxDelayMs: 8000 }),
      (e: unknown) => {
        assert.ok(e instanceof WaitTimeoutError)
        assert.equal(e.code, 'WAIT_TIMEOUT')
        assert.equal((e.task as { task_id: string }).task_id, taskId)
        assert.equal((e.task as { status: string }).status, 'PENDING')
        assert.match(e.message, /still PENDING after 20 s/)
        return true
      },
    )
    assert.deepEqual(sleeps, [5000, 8000, 7000])
  })

  test('stops at a final status even when it is not the one asked for', async () => {
    const s = server()
    const { agent, taskId, humcli, steps } = await setup(s)
    steps.push(() => ok(agent.api.post(`/tasks/${taskId}/cancel`)))
    const t = await humcli.waitForTask(taskId, { until: ['ACCEPTED'] })
    assert.equal(t.status, 'CANCELLED')
  })

  test('an abort signal ends the wait', async () => {
    const s = server()
    const { taskId, humcli } = await setup(s)
    const controller = new AbortController()
    const p = humcli.waitForTask(taskId, {
      signal: controller.signal,
      onStatus: () => controller.abort(new Error('enough')),
    })
    await assert.rejects(p, /enough/)
  })
})
