import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { ManualClock } from '../../src/clock.ts'
import { createContext } from '../../src/compose.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { openContext } from '../../src/server.ts'
import { claimDueJobs } from '../../src/worker/runner.ts'
import { createTask, newAgent, newOperator } from '../helpers/fixtures.ts'
import {
  dbEnv,
  freshDatabase,
  type HumcliServer,
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
