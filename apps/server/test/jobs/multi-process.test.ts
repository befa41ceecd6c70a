import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { sql } from 'kysely'
import { ManualClock } from '../../src/clock.ts'
import { createContext } from '../../src/compose.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { openContext } from '../../src/server.ts'
import { claimDueJobs } from '../../src/worker/runner.ts'
import { createTask, newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import {
  dbEnv,
  freshDatabase,
  HUMCLI_BIN,
  type HumcliServer,
  humcliEnv,
  PG_URL,
  startHumcliServe,
  startTestServer,
  testConfig,
} from '../helpers/harness.ts'

const skip = PG_URL
  ? false
  : 'needs PostgreSQL: set HUMCLI_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it'

const N = 40
const WAIT_MS = 30_000
/** Each child compiles the sources with tsx on start: seconds on a busy two-core machine. */
const START_MS = 60_000

test('Two server processes on one PostgreSQL database: a timer due once fires once', {
  skip,
  timeout: 180_000,
}, async (t) => {
  const s = await startTestServer('postgres', { operatorMaxActiveTasks: N })
  const children: HumcliServer[] = []
  t.after(async () => {
    await Promise.all(children.map((c) => c.stop()))
    await s.close()
  })
  // The children run on the system clock: set the tasks up on it too.
  s.clock.set(new Date())
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: N * 16 })
  const op = await newOperator(s)
  const ids: string[] = []
  for (let i = 0; i < N; i++) {
    const id = await createTask(s, agent)
    const acc = await op.api.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 })
    assert.equal(acc.status, 200, acc.text)
    ids.push(id)
  }

  const env = { ...dbEnv(s.db), PORT: '0', HUMCLI_JOB_POLL_MS: '20', LOG_LEVEL: 'warn' }
  const started = await Promise.allSettled([
    startHumcliServe(env, [], START_MS),
    startHumcliServe(env, [], START_MS),
  ])
  for (const r of started) if (r.status === 'fulfilled') children.push(r.value)
  for (const r of started) if (r.status === 'rejected') throw r.reason
  for (const c of children) {
    const ready = await fetch(`${c.url}/readyz`)
    assert.deepEqual(await ready.json(), { status: 'ready', database: 'postgres' })
  }

  // Both workers are polling: make every estimate timer due at once.
  const db = s.ctx.store.db
  const past = new Date(Date.now() - 1_000).toISOString()
  const moved = await db
    .updateTable('jobs')
    .set({ run_at: past })
    .where('kind', '=', 'estimate.expire')
    .executeTakeFirst()
  assert.equal(moved.numUpdatedRows, BigInt(N))

  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const open = await db
      .selectFrom('jobs')
      .select(sql<bigint>`count(*)`.as('n'))
      .where('kind', '=', 'estimate.expire')
      .where('status', '!=', 'done')
      .executeTakeFirstOrThrow()
    if (open.n === 0n) break
    if (Date.now() > deadline)
      assert.fail(`${open.n} of ${N} estimate timers still not done after ${WAIT_MS} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
  for (const c of children) assert.equal(c.child.exitCode, null, `a server died: ${c.output().stderr}`)
  await Promise.all(children.map((c) => c.stop()))

  const jobs = await db.selectFrom('jobs').selectAll().where('kind', '=', 'estimate.expire').execute()
  assert.equal(jobs.length, N)
  for (const j of jobs) {
    assert.equal(j.attempts, 1n, `job ${j.id} ran ${j.attempts} times`)
    assert.equal(j.last_error, null)
  }
  const childPrefixes = children.map((c) => `w_${c.child.pid}_`)
  const workers = new Set(jobs.map((j) => j.locked_by))
  for (const w of workers) {
    assert.ok(
      childPrefixes.some((p) => w?.startsWith(p)),
      `job locked by ${w}, not by a child server`,
    )
  }
  t.diagnostic(
    `workers that ran the ${N} timers: ${[...workers]
      .map((w) => `${w} (${jobs.filter((j) => j.locked_by === w).length})`)
      .join(', ')}`,
  )

  const expiries = await db
    .selectFrom('task_transitions')
    .select(['task_id', 'actor'])
    .where('from_status', '=', 'ESTIMATE_PENDING')
    .where('to_status', '=', 'PENDING')
    .execute()
  assert.equal(expiries.length, N, 'one expiry transition per task, no more')
  assert.deepEqual(expiries.map((e) => e.task_id).sort(), [...ids].sort())
  assert.ok(expiries.every((e) => e.actor === 'system'))
  const tasks = await db
    .selectFrom('tasks')
    .select(['status', 'operator_id'])
    .where('id', 'in', ids)
    .execute()
  assert.ok(tasks.every((x) => x.status === 'PENDING' && x.operator_id === null))
  assert.deepEqual((await ledgerCheck(db)).problems, [])
})

test('two contexts (two pools) claiming due jobs at once never claim the same job', {
  skip,
  timeout: 60_000,
}, async (t) => {
  const db = await freshDatabase('postgres')
  const clock = new ManualClock()
  const a = await openContext(testConfig(db), { clock, poolSize: 4 })
  const b = createContext(testConfig(db), { clock, poolSize: 4 })
  t.after(async () => {
    await a.store.close()
    await b.store.close()
    await db.drop()
  })
  const JOBS = 400
  const now = clock.now().toISOString()
  const rows = Array.from({ length: JOBS }, (_, i) => ({
    kind: 'estimate.expire',
    payload: JSON.stringify({ taskId: `task_${i}`, version: '1' }),
    run_at: now,
    status: 'queued',
    attempts: 0n,
    max_attempts: 10n,
    created_at: now,
  }))
  for (let i = 0; i < JOBS; i += 100)
    await a.store.db
      .insertInto('jobs')
      .values(rows.slice(i, i + 100))
      .execute()
  // Open every connection first, so the claimers really run side by side.
  for (const ctx of [a, b])
    await Promise.all(Array.from({ length: 4 }, () => sql`select 1`.execute(ctx.store.db)))

  const claimed = new Map<string, string[]>()
  const claimer = async (ctx: typeof a, worker: string) => {
    const mine: string[] = []
    claimed.set(worker, mine)
    for (;;) {
      const jobs = await claimDueJobs(ctx, worker, 5)
      if (jobs.length === 0) return
      mine.push(...jobs.map((j) => String(j.id)))
    }
  }
  await Promise.all([
    ...[1, 2, 3, 4].map((i) => claimer(a, `w_a${i}`)),
    ...[1, 2, 3, 4].map((i) => claimer(b, `w_b${i}`)),
  ])

  const all = [...claimed.values()].flat()
  assert.equal(new Set(all).size, all.length, 'a job was claimed twice')
  assert.equal(all.length, JOBS, 'every due job was claimed')
  const stored = await a.store.db
    .selectFrom('jobs')
    .select(['id', 'attempts', 'locked_by', 'status'])
    .execute()
  for (const j of stored) {
    assert.equal(j.attempts, 1n)
    assert.equal(j.status, 'running')
    assert.ok(claimed.get(j.locked_by!)?.includes(String(j.id)), `job ${j.id} locked by ${j.locked_by}`)
  }
  const perPool = (p: string) =>
    [...claimed].filter(([w]) => w.startsWith(p)).reduce((n, [, ids]) => n + ids.length, 0)
  t.diagnostic(`claimed by pool a: ${perPool('w_a')}, by pool b: ${perPool('w_b')}`)
})

test('two API processes (--no-workers) and a worker: jobs run only in the worker; a revoked key stops on the other API process within HUMCLI_AUTH_CACHE_MS', {
  skip,
  timeout: 240_000,
}, async (t) => {
  const s = await startTestServer('postgres')
  const children: { stop(): Promise<void> }[] = []
  t.after(async () => {
    await Promise.all(children.map((c) => c.stop()))
    await s.close()
  })
  // The children run on the system clock: the task's deadline is set from it too.
  s.clock.set(new Date())
  const AUTH_CACHE_MS = 1_000
  const env = {
    ...dbEnv(s.db),
    PORT: '0',
    LOG_LEVEL: 'warn',
    HUMCLI_JOB_POLL_MS: '50',
    HUMCLI_SANDBOX_STEP_MS: '200',
    HUMCLI_AUTH_CACHE_MS: String(AUTH_CACHE_MS),
  }
  const apis = await Promise.all([
    startHumcliServe(env, ['--no-workers'], START_MS),
    startHumcliServe(env, ['--no-workers'], START_MS),
  ])
  children.push(...apis)
  const [a, b] = apis as [HumcliServer, HumcliServer]
  for (const api of apis) assert.match(api.output().stdout, /workers: {2}off/)

  const reg = await (
    await fetch(`${a.url}/api/v1/agents/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Split agent', email: `split-${Date.now()}@example.com` }),
    })
  ).json()
  const call = (base: string, key: string, method: string, path: string, body?: unknown) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
  const created = await call(a.url, reg.api_key, 'POST', '/tasks', { ...taskBody(s), reward_usd: 5 })
  assert.equal(created.status, 201, await created.clone().text())
  const taskId = (await created.json()).task_id as string
  const statusOn = async (api: HumcliServer) =>
    (await (await call(api.url, reg.api_key, 'GET', `/tasks/${taskId}`)).json()).status as string

  // No worker yet: the sandbox operator's first step (due in 200 ms) waits, on both API processes.
  await new Promise((r) => setTimeout(r, 1_500))
  assert.equal(await statusOn(b), 'PENDING', 'an API process started with --no-workers ran a job')

  const worker = spawn(process.execPath, [HUMCLI_BIN, 'worker'], { env: humcliEnv(env), stdio: 'ignore' })
  const exited = new Promise<void>((r) => worker.once('exit', () => r()))
  children.push({
    stop: async () => {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGTERM')
      await exited
    },
  })
  // The worker runs the simulated operator's first step (an estimate); B sees the change at once (the task view cache
  // is keyed by the task's version, read on every request).
  const deadline = Date.now() + 60_000
  let status = 'PENDING'
  while (status === 'PENDING') {
    assert.ok(Date.now() < deadline, `the worker did not move the sandbox task on (still ${status})`)
    await new Promise((r) => setTimeout(r, 100))
    status = await statusOn(b)
  }
  assert.equal(status, 'ESTIMATE_PENDING')
  assert.equal(await statusOn(a), status)

  // A second key, used on B (so B holds it in its cache), revoked through A.
  const made = await (await call(a.url, reg.api_key, 'POST', '/agents/keys', { name: 'to revoke' })).json()
  assert.equal((await call(b.url, made.api_key, 'GET', '/agents/me')).status, 200)
  const revoked = await call(a.url, reg.api_key, 'DELETE', `/agents/keys/${made.id}`)
  assert.equal(revoked.status, 200, await revoked.clone().text())
  const since = Date.now()
  assert.equal((await call(a.url, made.api_key, 'GET', '/agents/me')).status, 401, 'A forgets it at once')
  let lastOk = since
  for (;;) {
    const r = await call(b.url, made.api_key, 'GET', '/agents/me')
    if (r.status === 401) break
    assert.equal(r.status, 200)
    lastOk = Date.now()
    assert.ok(
      lastOk - since < AUTH_CACHE_MS + 1_000,
      `B still accepts the revoked key after ${lastOk - since} ms`,
    )
    await new Promise((r) => setTimeout(r, 50))
  }
  t.diagnostic(
    `the revoked key worked on the other process for ${lastOk - since} ms more (bound ${AUTH_CACHE_MS} ms)`,
  )
})
