// A `humcli serve` process killed with SIGKILL between commit and delivery, under a stream of
// status changes, loses no webhook event once it is restarted on the same database. Everything
// runs for real: the server is a child process, the receiver a local HTTP server in this process.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { createContext } from '../../src/compose.ts'
import {
  dbEnv,
  forEachDialect,
  freshDatabase,
  type HumcliServer,
  runHumcli,
  startHumcliServe,
  testConfig,
} from '../helpers/harness.ts'
import { freePort, startReceiver } from '../helpers/receiver.ts'

const TASKS = 8
/** Accept → approve → start → release rounds per task before it is cancelled. */
const ROUNDS = 3
/** SIGKILL the server when this many transition requests have answered 200. */
const KILL_AFTER = [15, 45, 75]
/** Each child compiles the sources with tsx on start: seconds on a busy two-core machine. */
const START_MS = 60_000
/** How long deliveries may take to settle after the stream. */
const SETTLE_MS = 60_000
const STREAM_MS = 120_000

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Delivery {
  eventId: string
  taskId: string
  status: string
  previous: string
  body: string
  /** Arrival index at the receiver. */
  n: number
}

forEachDialect('webhook delivery survives SIGKILL', (dialect) => {
  test('a server process killed with SIGKILL between commit and delivery, under a stream of transitions, loses no event after restart (real subprocesses)', {
    timeout: 360_000,
    // A SIGKILLed worker's claimed jobs are taken over once it stops beating (DEAD_AFTER_MS in
    // src/worker/claim.ts), so delivery resumes within seconds of a restart.
  }, async (t) => {
    const db = await freshDatabase(dialect)
    t.after(() => db.drop())
    const rx = await startReceiver()
    t.after(() => rx.close())
    const deliveries: Delivery[] = []
    rx.reply = (r) => {
      const body = JSON.parse(r.body) as Record<string, string>
      deliveries.push({
        eventId: String(r.headers['webhook-id']),
        taskId: body.task_id!,
        status: body.status!,
        previous: body.previous_status!,
        body: r.body,
        n: deliveries.length,
      })
      return { status: 200, body: 'ok' }
    }

    // A fixed port, so clients simply retry while the server is down.
    const port = await freePort()
    // The same database for the children and for this process's checks (dbEnv alone points a
    // SQLite child at <dir>/humcli.sqlite, not at the file testConfig names).
    const dbVars = { ...dbEnv(db), DATABASE_URL: db.databaseUrl }
    const env = {
      ...dbVars,
      PORT: String(port),
      HUMCLI_ENV: 'development',
      HUMCLI_JOB_POLL_MS: '20',
      HUMCLI_WEBHOOK_TIMEOUT_MS: '2000',
      HUMCLI_RATE_LIMIT_PER_MINUTE: '0',
      HUMCLI_OPERATOR_MAX_ACTIVE_TASKS: '100',
      LOG_LEVEL: 'warn',
    }
    let server: HumcliServer | undefined
    const servers: HumcliServer[] = []
    t.after(async () => {
      for (const s of servers) {
        if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL')
      }
    })
    const start = async () => {
      server = await startHumcliServe(env, [], START_MS)
      servers.push(server)
    }
    await start()
    const base = `http://127.0.0.1:${port}/api/v1`

    /** One HTTP call; network errors (server down) and time-outs come back as status 0. */
    const call = async (method: string, path: string, auth: Record<string, string>, body?: unknown) => {
      const started = Date.now()
      try {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        })
        const text = await res.text()
        return { status: res.status, text, body: text ? JSON.parse(text) : null }
      } catch (err) {
        const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
        return { status: 0, text: `${why} after ${Date.now() - started} ms`, body: null }
      }
    }

    // A funded STANDARD agent (through the admin CLI) and one operator.
    const reg = await call(
      'POST',
      '/agents/register',
      {},
      {
        name: 'crash agent',
        email: `crash-${randomBytes(4).toString('hex')}@example.com`,
      },
    )
    assert.equal(reg.status, 201, reg.text)
    const agentId = reg.body.agent_id as string
    const agentAuth = { 'x-api-key': reg.body.api_key as string }
    for (const args of [
      ['admin', 'set-tier', agentId, 'STANDARD'],
      ['admin', 'credit', agentId, '1000'],
    ]) {
      const r = await runHumcli(args, dbVars, START_MS)
      assert.equal(r.code, 0, `humcli ${args.join(' ')}: ${r.stdout}${r.stderr}`)
    }
    const op = await call(
      'POST',
      '/operator/register',
      {},
      {
        name: 'crash operator',
        email: `op-${randomBytes(4).toString('hex')}@example.com`,
        password: 'correct horse battery',
      },
    )
    assert.equal(op.status, 201, op.text)
    const opAuth = { authorization: `Bearer ${op.body.token as string}` }

    const taskIds: string[] = []
    for (let i = 0; i < TASKS; i++) {
      const r = await call('POST', '/tasks', agentAuth, {
        title: 'Photograph the storefront',
        description: 'Take two photos of the shop front at 1 Main St, including the opening hours sign.',
        task_type: 'PHOTO',
        reward_usd: 15,
        deadline: new Date(Date.now() + 24 * 3_600_000).toISOString(),
        proof_requirements: ['photo of the storefront', 'photo of the opening hours'],
        location: { lat: 52.52, lng: 13.405, address: '1 Main St' },
        callback_url: `${rx.url}/cb/${i}`,
      })
      assert.equal(r.status, 201, r.text)
      taskIds.push(r.body.task_id as string)
    }

    // The killer: SIGKILL as soon as the n-th transition answers (the commits just before it are
    // not delivered yet), then restart on the same database and data folder.
    let ok = 0
    let kills = 0
    let restarting: Promise<void> | null = null
    const onOk = () => {
      ok++
      if (kills < KILL_AFTER.length && ok >= KILL_AFTER[kills]! && !restarting) {
        kills++
        const victim = server!
        victim.child.kill('SIGKILL')
        restarting = (async () => {
          await new Promise<void>((r) =>
            victim.child.exitCode !== null || victim.child.signalCode !== null
              ? r()
              : victim.child.once('exit', () => r()),
          )
          await start()
          restarting = null
        })()
      }
    }

    // Each task runs its own state-driven loop; tasks run side by side. After a failed request
    // (server killed mid-request: it may or may not have committed) the task is read back.
    const deadline = Date.now() + STREAM_MS
    let lateLandings = 0
    const drive = async (id: string) => {
      let rounds = 0
      let status = 'PENDING'
      /** The last request whose outcome the client did not learn (server killed, time-out). */
      let unanswered: string | null = null
      for (;;) {
        assert.ok(Date.now() < deadline, `the stream did not finish in ${STREAM_MS} ms`)
        if (status === 'CANCELLED') return
        let r: { status: number; text: string; body: any }
        if (status === 'PENDING' && rounds >= ROUNDS)
          r = await call('POST', `/tasks/${id}/cancel`, agentAuth, {})
        else if (status === 'PENDING')
          r = await call('POST', `/operator/tasks/${id}/accept`, opAuth, { estimate_hours: 1 })
        else if (status === 'ESTIMATE_PENDING')
          r = await call('POST', `/tasks/${id}/estimate/approve`, agentAuth)
        else if (status === 'ACCEPTED') r = await call('POST', `/operator/tasks/${id}/start`, opAuth)
        else if (status === 'IN_PROGRESS') r = await call('POST', `/operator/tasks/${id}/release`, opAuth, {})
        else throw new Error(`unexpected status ${status} of ${id}`)
        if (r.status === 200) {
          if (status === 'IN_PROGRESS') rounds++
          onOk()
          unanswered = null
        } else if (r.status === 0 || r.status >= 500) {
          unanswered = `${status}: ${r.status} ${r.text}`
        } else if (r.status === 404 && unanswered) {
          // An unanswered request may still commit after the read-back saw the task unchanged
          // (a time-out while the server works on it): this one then finds the task moved on.
          lateLandings++
          unanswered = null
        } else if (r.status !== 409) {
          assert.fail(`${id} in ${status}: ${r.status} ${r.text} (unanswered before: ${unanswered})`)
        }
        // Read the task back: the source of truth whether the last request committed or not.
        for (;;) {
          assert.ok(Date.now() < deadline, `the stream did not finish in ${STREAM_MS} ms`)
          const g = await call('GET', `/tasks/${id}`, agentAuth)
          if (g.status === 200) {
            const next = g.body.status as string
            if (r.status !== 200 && status === 'IN_PROGRESS' && next === 'PENDING') rounds++
            status = next
            break
          }
          await sleep(50)
        }
      }
    }
    await Promise.all(taskIds.map(drive))
    if (restarting) await restarting
    assert.equal(kills, KILL_AFTER.length, `the server was killed ${kills} times`)
    assert.ok(ok > KILL_AFTER.at(-1)!, 'transitions went on after the last restart')

    // Wait (bounded) until every task.status_changed event of these tasks reached the receiver.
    const ctx = createContext(testConfig(db), {})
    t.after(() => ctx.store.close())
    const outboxRows = async () =>
      (
        await ctx.store.db
          .selectFrom('outbox')
          .select(['id', 'seq', 'task_id', 'payload'])
          .where('type', '=', 'task.status_changed')
          .where('task_id', 'in', taskIds)
          .orderBy('seq')
          .execute()
      ).map((e) => ({ ...e, seq: BigInt(e.seq) }))
    const settleBy = Date.now() + SETTLE_MS
    let events = await outboxRows()
    for (;;) {
      const got = new Set(deliveries.map((d) => d.eventId))
      const missing = events.filter((e) => !got.has(e.id))
      if (missing.length === 0) break
      if (Date.now() > settleBy) {
        const stuck = await ctx.store.db
          .selectFrom('webhook_deliveries')
          .select(['event_id', 'status', 'attempts', 'locked_until', 'next_attempt_at', 'last_error'])
          .where(
            'event_id',
            'in',
            missing.map((e) => e.id),
          )
          .execute()
        const jobs = await ctx.store.db
          .selectFrom('jobs')
          .select(['kind', 'status', 'attempts', 'locked_until', 'payload'])
          .where('kind', 'like', 'webhooks.%')
          .where('status', '!=', 'done')
          .execute()
        assert.fail(
          `${missing.length} of ${events.length} events not delivered ${SETTLE_MS} ms after the stream ` +
            `(${kills} kills):\ndeliveries: ${JSON.stringify(stuck, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}` +
            `\nopen webhook jobs: ${JSON.stringify(jobs, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
        )
      }
      await sleep(100)
      events = await outboxRows()
    }
    assert.equal(server!.child.exitCode, null, `the last server died: ${server!.output().stderr}`)

    // Expected: one event per committed transition, as the task logs say.
    const transitions = await ctx.store.db
      .selectFrom('task_transitions')
      .select(['task_id'])
      .where('task_id', 'in', taskIds)
      .execute()
    const changes = transitions.length - TASKS // minus each task's creation entry, which is no change
    assert.ok(events.length >= changes, `${events.length} outbox events for ${changes} status changes`)
    t.diagnostic(
      `${events.length} events, ${deliveries.length} deliveries (${deliveries.length - new Set(deliveries.map((d) => d.eventId)).size} duplicates), ${kills} SIGKILLs, ${ok} transitions answered 200, ${lateLandings} found moved on by a late commit`,
    )

    const byId = new Map(events.map((e) => [e.id, e]))
    // Nothing is delivered that is not in the outbox; what arrives matches the event.
    for (const d of deliveries) {
      const e = byId.get(d.eventId)
      assert.ok(e, `delivered ${d.eventId} (${d.body}) is not in the outbox`)
      assert.equal(d.taskId, e.task_id)
      const payload = JSON.parse(e.payload) as Record<string, string>
      assert.equal(d.status, payload.status)
      assert.equal(d.previous, payload.previous_status)
    }
    // Duplicates carry the same webhook-id and the very same body.
    const firstOf = new Map<string, Delivery>()
    for (const d of deliveries) {
      const first = firstOf.get(d.eventId)
      if (first) assert.equal(d.body, first.body, `a redelivery of ${d.eventId} changed its body`)
      else firstOf.set(d.eventId, d)
    }
    // Per task, the first deliveries arrive in outbox (commit) order, and form the status chain.
    for (const id of taskIds) {
      const expected = events.filter((e) => e.task_id === id).map((e) => e.id)
      const firsts = [...firstOf.values()].filter((d) => d.taskId === id).sort((a, b) => a.n - b.n)
      assert.deepEqual(
        firsts.map((d) => d.eventId),
        expected,
        `task ${id}: first deliveries out of outbox order`,
      )
      for (let i = 1; i < firsts.length; i++) assert.equal(firsts[i]!.previous, firsts[i - 1]!.status)
      assert.equal(firsts.at(-1)!.status, 'CANCELLED')
    }
    await server!.stop()
  })
})
