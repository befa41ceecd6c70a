import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { client } from '../helpers/api.ts'
import { newAgent, taskBody } from '../helpers/fixtures.ts'
import {
  dbEnv,
  forEachDialect,
  startHumcliServe,
  startTestServer,
  type TestServer,
} from '../helpers/harness.ts'

/** Each child compiles the sources with tsx on start: seconds on a busy two-core machine. */
const START_MS = 90_000

const key = () => `crash-${randomBytes(6).toString('hex')}`

function childEnv(s: TestServer, crashAt?: string): Record<string, string> {
  return {
    ...dbEnv(s.db),
    DATABASE_URL: s.db.databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'error',
    HUMCLI_WORKERS: 'off',
    HUMCLI_IDEMPOTENCY_LEASE_MS: '1000',
    HUMCLI_IDEMPOTENCY_WAIT_MS: '8000',
    ...(crashAt ? { HUMCLI_FAULT_CRASH_AT: crashAt } : {}),
  }
}

/** Sends the keyed requests to a child that kills itself (SIGKILL) at `crashAt`; the last one must die with it. */
async function crashOn(
  s: TestServer,
  crashAt: string,
  requests: { path: string; body: unknown; key: string }[],
  apiKey: string,
) {
  const child = await startHumcliServe(childEnv(s, crashAt), [], START_MS)
  const exited = new Promise((r) => child.child.once('exit', (_c, sig) => r(sig)))
  const api = client(child.url, { key: apiKey })
  for (const [i, r] of requests.entries()) {
    const last = i === requests.length - 1
    const res = await api.post(r.path, r.body, { headers: { 'idempotency-key': r.key } }).then(
      (x) => x,
      (err: Error) => err,
    )
    if (!last) assert.ok(!(res instanceof Error) && res.status < 300, `request ${i} before the crash failed`)
    else assert.ok(res instanceof Error, `the server answered instead of dying at ${crashAt}`)
  }
  assert.equal(await exited, 'SIGKILL')
}

const count = async (s: TestServer, table: 'tasks' | 'idempotency_keys', where?: [string, string]) => {
  let q = s.ctx.store.db.selectFrom(table).select(sql<bigint>`count(*)`.as('n'))
  if (where) q = q.where(where[0] as never, '=', where[1] as never)
  return Number((await q.executeTakeFirstOrThrow()).n)
}

forEachDialect('Idempotency-Key across a crash', (dialect) => {
  test('a key in flight when the process died answers its committed result or runs once, never 409', {
    timeout: 600_000,
  }, async (t) => {
    const s = await startTestServer(dialect)
    t.after(() => s.close())
    s.clock.set(new Date()) // the children run on the system clock
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
    const create = (k: string) => ({ path: '/tasks', body: taskBody(s), key: k })
    const keys = { claimed: key(), beforeCommit: key(), committed: key(), setup: key(), cancel: key() }

    await crashOn(s, 'idempotency.claimed', [create(keys.claimed)], agent.key)
    await crashOn(s, 'idempotency.before-commit', [create(keys.beforeCommit)], agent.key)
    await crashOn(s, 'idempotency.committed', [create(keys.committed)], agent.key)
    assert.equal(
      await count(s, 'tasks', ['agent_id', agent.id]),
      1,
      'only the create that reached COMMIT exists',
    )
    const committedId = (await s.ctx.store.db.selectFrom('tasks').select('id').executeTakeFirstOrThrow()).id
    // The 2nd keyed commit in this process is the cancel: it dies after its COMMIT.
    const setup = create(keys.setup)
    await crashOn(
      s,
      'idempotency.committed:2',
      [setup, { path: `/tasks/${committedId}/cancel`, body: { reason: 'crash test' }, key: keys.cancel }],
      agent.key,
    )

    const child = await startHumcliServe(childEnv(s), [], START_MS)
    t.after(() => child.stop())
    const api = client(child.url, { key: agent.key })
    const again = (r: { path: string; body: unknown; key: string }) =>
      api.post(r.path, r.body, { headers: { 'idempotency-key': r.key } })

    // Claimed or inside the transaction when the process died: nothing committed, so it runs now, once.
    for (const k of [keys.claimed, keys.beforeCommit]) {
      const r = await again(create(k))
      assert.equal(r.status, 201, r.text)
      const replay = await again(create(k))
      assert.equal(replay.text, r.text)
      assert.equal(replay.headers.get('idempotent-replayed'), 'true')
    }
    // Committed, answer never stored: rebuilt from the committed result, the task is not made twice.
    const rebuilt = await again(create(keys.committed))
    assert.equal(rebuilt.status, 201, rebuilt.text)
    assert.equal(rebuilt.body.task_id, committedId)
    const cancelled = await again({
      path: `/tasks/${committedId}/cancel`,
      body: { reason: 'crash test' },
      key: keys.cancel,
    })
    assert.equal(cancelled.status, 200, cancelled.text)
    assert.equal(cancelled.body.status, 'CANCELLED')
    assert.equal(cancelled.body.refunded_usd, rebuilt.body.escrow_usd)

    assert.equal(
      await count(s, 'tasks', ['agent_id', agent.id]),
      4,
      'claimed, before-commit, committed, setup',
    )
    const stuck = await s.ctx.store.db
      .selectFrom('idempotency_keys')
      .select(['scope', 'state'])
      .where('state', '!=', 'done')
      .execute()
    assert.deepEqual(stuck, [], 'every key has its answer stored')
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
    // Three live tasks hold escrow; the cancelled one was escrowed once and refunded once.
    const escrow = rebuilt.body.escrow_usd as number
    const balance = (await api.get('/agents/balance')).body
    assert.deepEqual(balance, {
      deposit_balance: 200 - 3 * escrow,
      escrow_balance: 3 * escrow,
      currency: 'USD',
    })
  })
})
