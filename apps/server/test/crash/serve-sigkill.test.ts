// Real `humcli serve` processes killed with SIGKILL at random moments under a mixed load of keyed
// requests, restarted on the same data: no acknowledged write is lost, no key or job stays stuck,
// the ledger checks clean. HUMCLI_CRASH_SEED replays a run; HUMCLI_CRASH_KILLS sets the kills.
import assert from 'node:assert/strict'
import { randomInt } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { type Client, client } from '../helpers/api.ts'
import { newAgent, newOperator, taskBody, txHash } from '../helpers/fixtures.ts'
import {
  dbEnv,
  forEachDialect,
  type HumcliServer,
  startHumcliServe,
  startTestServer,
  type TestServer,
} from '../helpers/harness.ts'
import { newKey, type Op, seeded, send } from './journal.ts'

const KILLS = Number(process.env.HUMCLI_CRASH_KILLS ?? 10)
const CLIENTS = 5
const START_MS = 90_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function childEnv(s: TestServer): Record<string, string> {
  return {
    ...dbEnv(s.db),
    DATABASE_URL: s.db.databaseUrl,
    PORT: '0',
    LOG_LEVEL: 'error',
    HUMCLI_JOB_POLL_MS: '50',
    HUMCLI_IDEMPOTENCY_LEASE_MS: '1000',
    HUMCLI_IDEMPOTENCY_WAIT_MS: '8000',
    HUMCLI_RATE_LIMIT_PER_MINUTE: '0',
    HUMCLI_OPERATOR_MAX_ACTIVE_TASKS: '100000',
    HUMCLI_TIER_LIMITS: JSON.stringify({ STANDARD: { maxDailyTasks: 100000, maxDailySpend: 1000000 } }),
  }
}

interface World {
  agents: { id: string; key: string }[]
  operators: { token: string }[]
  ops: Op[]
  tasks: { id: string; agent: number }[]
}

/** The next op of a client, chosen by the seeded generator over what the world holds so far. */
function nextOp(w: World, s: TestServer, rnd: () => number, agent: number): Op {
  const r = rnd()
  const own = w.tasks.filter((t) => t.agent === agent)
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!
  const base = { key: newKey(), agent, operator: null }
  if (r < 0.35 || own.length === 0)
    return { ...base, kind: 'create', path: '/tasks', body: taskBody(s, { reward_usd: 1 }) }
  if (r < 0.5)
    return {
      ...base,
      kind: 'deposit',
      path: '/agents/deposit/usdc',
      body: { tx_hash: txHash(), amount_usdc: 5, chain: 'base' },
    }
  if (r < 0.7) {
    const t = pick(w.tasks)
    const operator = Math.floor(rnd() * w.operators.length)
    return {
      ...base,
      agent: t.agent,
      operator,
      kind: 'accept',
      path: `/operator/tasks/${t.id}/accept`,
      body: { estimate_hours: 1 },
    }
  }
  if (r < 0.85)
    return { ...base, kind: 'approve', path: `/tasks/${pick(own).id}/estimate/approve`, body: undefined }
  return { ...base, kind: 'cancel', path: `/tasks/${pick(own).id}/cancel`, body: { reason: 'crash test' } }
}

function apiFor(w: World, url: string, op: Op): Client {
  return op.operator === null
    ? client(url, { key: w.agents[op.agent]!.key })
    : client(url, { token: w.operators[op.operator]!.token })
}

function record(w: World, op: Op) {
  assert.ok(
    !op.answer || op.answer.status < 500,
    `${op.kind} ${op.path} answered ${op.answer?.status}: ${op.answer?.text}`,
  )
  if (op.kind === 'create' && op.answer?.status === 201) {
    w.tasks.push({ id: JSON.parse(op.answer.text).task_id, agent: op.agent })
  }
}

/** Every op whose answer is unknown is sent again with its key until it has one. */
async function settleUnknown(w: World, url: string): Promise<number> {
  let sent = 0
  for (const op of w.ops.filter((o) => !o.answer)) {
    for (let i = 0; !op.answer; i++) {
      assert.ok(i < 4, `key ${op.key} (${op.kind} ${op.path}) is still in flight after ${i} retries`)
      sent++
      await send(apiFor(w, url, op), op)
    }
    record(w, op)
  }
  return sent
}

async function load(w: World, s: TestServer, child: HumcliServer, rnd: () => number, untilMs: number) {
  let stop = false
  const clients = Array.from({ length: CLIENTS }, async (_, c) => {
    while (!stop) {
      const op = nextOp(w, s, rnd, c % w.agents.length)
      w.ops.push(op)
      if (await send(apiFor(w, child.url, op), op)) record(w, op)
      else if (child.child.exitCode === null && child.child.signalCode === null && !stop) await sleep(5)
    }
  })
  await sleep(untilMs)
  child.child.kill('SIGKILL')
  stop = true
  await Promise.all(clients)
  await new Promise((r) =>
    child.child.exitCode !== null || child.child.signalCode ? r(null) : child.child.once('exit', r),
  )
}

const count = async (s: TestServer, table: 'tasks' | 'deposits', agentId: string) =>
  Number(
    (
      await s.ctx.store.db
        .selectFrom(table)
        .select(sql<bigint>`count(*)`.as('n'))
        .where('agent_id', '=', agentId)
        .executeTakeFirstOrThrow()
    ).n,
  )

forEachDialect('SIGKILL under load', (dialect) => {
  test('humcli serve killed at random moments under keyed load: no acknowledged write lost, no key or job stuck, ledger clean', {
    timeout: 600_000,
  }, async (t) => {
    const seed = Number(process.env.HUMCLI_CRASH_SEED ?? randomInt(2 ** 31))
    t.diagnostic(`seed ${seed} (HUMCLI_CRASH_SEED=${seed} replays the choices)`)
    const rnd = seeded(seed)
    const s = await startTestServer(dialect)
    t.after(() => s.close())
    s.clock.set(new Date())
    const w: World = { agents: [], operators: [], ops: [], tasks: [] }
    for (let i = 0; i < CLIENTS; i++) w.agents.push(await newAgent(s, { tier: 'STANDARD', deposit: 1000 }))
    for (let i = 0; i < 3; i++) w.operators.push(await newOperator(s))

    let replays = 0
    let child: HumcliServer | null = null
    t.after(() => child?.stop())
    for (let k = 0; k < KILLS; k++) {
      child = await startHumcliServe(childEnv(s), [], START_MS)
      replays += await settleUnknown(w, child.url)
      await load(w, s, child, rnd, 1_000 + Math.floor(rnd() * 3_000))
    }
    child = await startHumcliServe(childEnv(s), [], START_MS)
    const unknownAtEnd = w.ops.filter((o) => !o.answer).length
    replays += await settleUnknown(w, child.url)

    // Every acknowledged answer is replayed byte for byte: nothing acknowledged was lost.
    for (const op of w.ops) {
      const before = op.answer!
      const r: { status: number; text: string; headers: Headers } = await apiFor(w, child.url, op).post(
        op.path,
        op.body,
        {
          headers: { 'idempotency-key': op.key },
        },
      )
      assert.equal(r.status, before.status, `${op.kind} ${op.key}`)
      assert.equal(r.text, before.text, `${op.kind} ${op.key}: the replay differs from the answer given`)
      assert.equal(r.headers.get('idempotent-replayed'), 'true')
    }
    // Each create and deposit that answered 201 happened exactly once; none that did not.
    for (const [i, a] of w.agents.entries()) {
      const mine = w.ops.filter((o) => o.agent === i && o.operator === null)
      const created = mine.filter((o) => o.kind === 'create' && o.answer!.status === 201).length
      const deposited = mine.filter((o) => o.kind === 'deposit' && o.answer!.status === 201).length
      assert.equal(await count(s, 'tasks', a.id), created, `agent ${i}: tasks`)
      assert.equal(await count(s, 'deposits', a.id), deposited + 1, `agent ${i}: deposits (+1 fixture)`)
    }
    const stuck = await s.ctx.store.db
      .selectFrom('idempotency_keys')
      .select('scope')
      .where('state', '!=', 'done')
      .execute()
    assert.deepEqual(stuck, [], 'no key is stuck')
    const due = async () =>
      Number(
        (
          await s.ctx.store.db
            .selectFrom('jobs')
            .select(sql<bigint>`count(*)`.as('n'))
            .where((eb) =>
              eb.or([
                eb('status', '=', 'running'),
                eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', new Date().toISOString())]),
              ]),
            )
            .executeTakeFirstOrThrow()
        ).n,
      )
    const deadline = Date.now() + 60_000
    while ((await due()) > 0 && Date.now() < deadline) await sleep(200)
    assert.equal(await due(), 0, 'no job is stuck: every due job ran after the restarts')
    const failed = await s.ctx.store.db
      .selectFrom('jobs')
      .select(['kind', 'last_error'])
      .where('status', '=', 'failed')
      .execute()
    assert.deepEqual(failed, [])
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
    const by = (k: string) => w.ops.filter((o) => o.kind === k).length
    t.diagnostic(
      `${dialect}: seed ${seed}, ${KILLS} SIGKILLs, ${w.ops.length} keyed requests ` +
        `(create ${by('create')}, deposit ${by('deposit')}, accept ${by('accept')}, approve ${by('approve')}, cancel ${by('cancel')}), ` +
        `${replays} resent after a crash (${unknownAtEnd} unknown at the last restart), ${w.tasks.length} tasks; all ${w.ops.length} keys replayed identically`,
    )
  })
})
