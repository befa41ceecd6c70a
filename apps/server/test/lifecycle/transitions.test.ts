import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { canTransition, TASK_STATUSES, type TaskStatus, TRANSITIONS } from '../../src/domain/lifecycle.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { type ApiResponse, type Client, client } from '../helpers/api.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  type OperatorFixture,
  proofForm,
  review,
  STEPS,
  type Step,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'

const HOUR = 3_600_000

/** Spec §7 transcribed row by row (from-statuses, to-statuses), independently of `TRANSITIONS`. */
const SPEC_ROWS: [TaskStatus[], TaskStatus[]][] = [
  [['PENDING'], ['ESTIMATE_PENDING']],
  [['ESTIMATE_PENDING'], ['ACCEPTED']],
  [['ESTIMATE_PENDING'], ['PENDING']],
  [['ACCEPTED'], ['IN_PROGRESS']],
  [['ACCEPTED', 'IN_PROGRESS'], ['PENDING']],
  [['IN_PROGRESS'], ['SUBMITTED']],
  [['SUBMITTED'], ['VERIFIED']],
  [['VERIFIED'], ['COMPLETED']],
  [['SUBMITTED'], ['MANUAL_REVIEW']],
  [['SUBMITTED'], ['IN_PROGRESS']],
  [['SUBMITTED', 'MANUAL_REVIEW'], ['COMPLETED']],
  [['SUBMITTED', 'MANUAL_REVIEW'], ['DISPUTED']],
  [['DISPUTED'], ['COMPLETED', 'CANCELLED']],
  [['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED'], ['CANCELLED']],
  [['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS'], ['CANCELLED']],
  // Ours (documented on TRANSITIONS): an admin rejecting a manual review refunds the agent.
  [['MANUAL_REVIEW'], ['CANCELLED']],
]

interface World {
  s: TestServer
  agent: AgentFixture
  /** The operator who holds (or will hold) the task. */
  op: OperatorFixture
  other: OperatorFixture
  admin: { id: string; api: Client }
  taskId: string
}

async function ok(p: Promise<ApiResponse>, status = 200): Promise<ApiResponse> {
  const r = await p
  assert.equal(r.status, status, r.text)
  return r
}

const taskRow = (w: World) =>
  w.s.ctx.store.db.selectFrom('tasks').selectAll().where('id', '=', w.taskId).executeTakeFirstOrThrow()
const dbStatus = async (w: World) => (await taskRow(w)).status

/**
 * A fresh agent ($100 deposited), two operators, an admin and one $15 task driven to `status`
 * through the API, `age` ms after the task was created.
 */
async function reach(s: TestServer, status: TaskStatus, age = 0): Promise<World> {
  const agent = await newAgent(s, { tier: 'VERIFIED', deposit: 100 })
  const taskId = await createTask(s, agent)
  s.clock.advance(age)
  const [op, other, admin] = await Promise.all([newOperator(s), newOperator(s), newAdmin(s)])
  const w: World = { s, agent, op, other, admin, taskId }
  // `driveTo` goes as far as SUBMITTED; the rest start there (CANCELLED from ACCEPTED, so a holder remains).
  const inReach = (STEPS as readonly TaskStatus[]).includes(status)
  await driveTo(
    s,
    agent,
    op,
    taskId,
    inReach ? (status as Step) : status === 'CANCELLED' ? 'ACCEPTED' : 'SUBMITTED',
  )
  const verify = (decision: string) => ok(agent.api.post(`/tasks/${w.taskId}/verify`, { decision }))
  if (status === 'MANUAL_REVIEW') await review(s, w.taskId, 'MANUAL_REVIEW')
  if (status === 'DISPUTED') await verify('REJECT')
  if (status === 'COMPLETED') await verify('APPROVE')
  if (status === 'CANCELLED') await ok(agent.api.post(`/tasks/${w.taskId}/cancel`))
  if (status === 'VERIFIED') {
    // No verb leaves a task in VERIFIED (it completes in the same transaction), so put one there
    // directly to prove that every endpoint still refuses to act on it.
    await s.ctx.store.db
      .updateTable('tasks')
      .set({ status: 'VERIFIED', version: sql`version + 1` })
      .where('id', '=', w.taskId)
      .execute()
  }
  assert.equal(await dbStatus(w), status)
  return w
}

/** Moves the clock to one minute before `ms` (nothing may fire), then to `ms`, running due jobs each time. */
async function fireTimer(w: World, ms: number) {
  const before = await dbStatus(w)
  w.s.clock.advance(ms - 60_000)
  await w.s.runJobs()
  assert.equal(await dbStatus(w), before, 'the timer fired a minute early')
  w.s.clock.advance(60_000)
  await w.s.runJobs()
}

const ag = (path: string, body?: unknown) => (w: World) => w.agent.api.post(`/tasks/${w.taskId}${path}`, body)
const adm = (path: string, body: unknown) => (w: World) =>
  w.admin.api.post(`/admin/tasks/${w.taskId}${path}`, body)
/** As the holding operator; `/proof` sends a fresh one-photo form. */
const mine = (path: string, body?: unknown) => (w: World) =>
  w.op.api.post(`/operator/tasks/${w.taskId}${path}`, body, path === '/proof' ? { form: proofForm() } : {})
const must = (call: (w: World) => Promise<ApiResponse>) => (w: World) => ok(call(w))
const guardian = (decision: 'VERIFIED' | 'MANUAL_REVIEW' | 'RESUBMIT') => (w: World) =>
  review(w.s, w.taskId, decision)

/** The triggers of spec §7, through the API, the Guardian's verb, or the clock. */
const T = {
  accept: must(mine('/accept', { estimate_hours: 1 })),
  start: must(mine('/start')),
  release: must(mine('/release')),
  releaseSick: must(mine('/release', { reason: 'sick' })),
  proof: must(mine('/proof')),
  cancel: must(ag('/cancel')),
  cancelWhy: must(ag('/cancel', { reason: 'not needed' })),
  approve: must(ag('/estimate/approve')),
  reject: must(ag('/estimate/reject', { reason: 'too slow' })),
  verifyOk: must(ag('/verify', { decision: 'APPROVE' })),
  verifyNo: must(ag('/verify', { decision: 'REJECT', reason: 'wrong shop' })),
  reviewOk: must(adm('/review', { decision: 'APPROVE' })),
  reviewNo: must(adm('/review', { decision: 'REJECT' })),
  pay: must(adm('/resolve', { outcome: 'PAY_OPERATOR', note: 'proof is fine' })),
  split: must(adm('/resolve', { outcome: 'SPLIT', operator_percent: 40, note: 'partly done' })),
  refund: must(adm('/resolve', { outcome: 'REFUND_AGENT', note: 'fake proof' })),
  verified: guardian('VERIFIED'),
  unsure: guardian('MANUAL_REVIEW'),
  resubmit: guardian('RESUBMIT'),
  thirdWeakProof: guardian('RESUBMIT'),
  estimateExpires: (w: World) => fireTimer(w, HOUR),
  deadlinePasses: async (w: World) =>
    fireTimer(w, new Date((await taskRow(w)).deadline).getTime() - w.s.clock.now().getTime()),
  reviewTimesOut: (w: World) => fireTimer(w, 72 * HOUR),
}

/** The $15 task's escrow ($16) at rest, refunded, released, or split 40/60, and the ledger transaction that did it. */
const MONEY = {
  held: { deposit: 84, escrow: 16, pending: 0, revenue: 0, kind: null },
  refund: { deposit: 100, escrow: 0, pending: 0, revenue: 0, kind: 'escrow.refund' },
  release: { deposit: 84, escrow: 0, pending: 15, revenue: 1, kind: 'escrow.release' },
  split: { deposit: 93, escrow: 0, pending: 6, revenue: 1, kind: 'escrow.split' },
}
type Money = keyof typeof MONEY

type By = 'agent' | 'operator' | 'admin' | 'system' | 'system:guardian'
/** `FROM>TO[>TO…]` (VERIFIED is followed at once by COMPLETED), who acts, the trigger, money, logged reason. */
type Row = [path: string, by: By, how: keyof typeof T, money?: Money, reason?: string]

const ROWS: Row[] = [
  ['PENDING>ESTIMATE_PENDING', 'operator', 'accept'],
  ['PENDING>CANCELLED', 'agent', 'cancel', 'refund', 'CANCELLED_BY_AGENT'],
  ['PENDING>CANCELLED', 'system', 'deadlinePasses', 'refund', 'DEADLINE_EXPIRED'],
  ['ESTIMATE_PENDING>ACCEPTED', 'agent', 'approve'],
  ['ESTIMATE_PENDING>PENDING', 'agent', 'reject', 'held', 'estimate rejected: too slow'],
  ['ESTIMATE_PENDING>PENDING', 'system', 'estimateExpires', 'held', 'estimate expired'],
  ['ESTIMATE_PENDING>PENDING', 'operator', 'release'],
  ['ESTIMATE_PENDING>CANCELLED', 'agent', 'cancel', 'refund'],
  ['ESTIMATE_PENDING>CANCELLED', 'system', 'deadlinePasses', 'refund', 'DEADLINE_EXPIRED'],
  ['ACCEPTED>IN_PROGRESS', 'operator', 'start'],
  ['ACCEPTED>PENDING', 'operator', 'releaseSick', 'held', 'sick'],
  ['ACCEPTED>CANCELLED', 'agent', 'cancelWhy', 'refund', 'not needed'],
  ['ACCEPTED>CANCELLED', 'system', 'deadlinePasses', 'refund', 'DEADLINE_EXPIRED'],
  ['IN_PROGRESS>SUBMITTED', 'operator', 'proof'],
  ['IN_PROGRESS>PENDING', 'operator', 'release'],
  ['IN_PROGRESS>CANCELLED', 'system', 'deadlinePasses', 'refund', 'DEADLINE_EXPIRED'],
  ['SUBMITTED>VERIFIED>COMPLETED', 'system:guardian', 'verified', 'release'],
  ['SUBMITTED>MANUAL_REVIEW', 'system:guardian', 'unsure'],
  ['SUBMITTED>MANUAL_REVIEW', 'system:guardian', 'thirdWeakProof'],
  ['SUBMITTED>IN_PROGRESS', 'system:guardian', 'resubmit'],
  ['SUBMITTED>COMPLETED', 'agent', 'verifyOk', 'release'],
  ['SUBMITTED>COMPLETED', 'admin', 'reviewOk', 'release'],
  ['SUBMITTED>DISPUTED', 'agent', 'verifyNo', 'held', 'wrong shop'],
  ['MANUAL_REVIEW>COMPLETED', 'agent', 'verifyOk', 'release'],
  ['MANUAL_REVIEW>COMPLETED', 'admin', 'reviewOk', 'release'],
  ['MANUAL_REVIEW>COMPLETED', 'system', 'reviewTimesOut', 'release'],
  ['MANUAL_REVIEW>DISPUTED', 'agent', 'verifyNo'],
  ['MANUAL_REVIEW>CANCELLED', 'admin', 'reviewNo', 'refund', 'REJECTED_IN_REVIEW'],
  ['DISPUTED>COMPLETED', 'admin', 'pay', 'release'],
  ['DISPUTED>COMPLETED', 'admin', 'split', 'split'],
  ['DISPUTED>CANCELLED', 'admin', 'refund', 'refund', 'DISPUTE_REFUNDED'],
]

/** Before `thirdWeakProof`: two weak proofs already went back to the operator and came again. */
async function weakTwice(w: World) {
  for (let i = 0; i < 2; i++) {
    await T.resubmit(w)
    await T.proof(w)
  }
}

/** `A>B>C` → [[A, B], [B, C]] */
function pairs(path: string) {
  const s = path.split('>')
  return s.slice(1).map((to, i) => [s[i]!, to])
}

function actorOf(w: World, by: By): string {
  if (by === 'agent') return `agent:${w.agent.id}`
  if (by === 'operator') return `operator:${w.op.id}`
  if (by === 'admin') return `admin:${w.admin.id}`
  return by
}

/** What the API and the ledger say about the task's money, log and events. */
async function observe(w: World) {
  const db = w.s.ctx.store.db
  const task = await ok(w.agent.api.get(`/tasks/${w.taskId}`))
  const balance = await ok(w.agent.api.get('/agents/balance'))
  let earnings = await w.op.api.get('/operator/earnings')
  if (earnings.status === 401) {
    // Operator tokens live an hour and the timers move the clock by days: log in again.
    const { email, password } = w.op
    const login = await ok(client(w.s.url).post('/operator/login', { email, password }))
    w.op.api = client(w.s.url, { token: login.body.token })
    earnings = await ok(w.op.api.get('/operator/earnings'))
  }
  assert.equal(earnings.status, 200, earnings.text)
  const events = await db
    .selectFrom('outbox')
    .select('payload')
    .where('task_id', '=', w.taskId)
    .where('type', '=', 'task.status_changed')
    .orderBy('seq')
    .execute()
  const kinds = await db
    .selectFrom('ledger_transactions')
    .select('kind')
    .where('task_id', '=', w.taskId)
    .execute()
  const revenue = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
    .select(sql<bigint>`cast(coalesce(sum(e.amount_micros), 0) as bigint)`.as('n'))
    .where('t.task_id', '=', w.taskId)
    .where('e.account_id', '=', 'platform:revenue')
    .executeTakeFirstOrThrow()
  return {
    status: task.body.status as string,
    transitions: task.body.transitions as { from: string; to: string; actor: string; reason: string }[],
    money: {
      deposit: balance.body.deposit_balance,
      escrow: balance.body.escrow_balance,
      pending: earnings.body.pending_balance,
      revenue: Number(revenue.n) / 1e6,
    },
    events: events.map((e) => JSON.parse(e.payload) as { status: string; previous_status: string }),
    kinds: kinds.map((k) => k.kind).sort(),
  }
}

/** The task row and every table a refused action could have written to. */
async function snapshot(w: World) {
  const db = w.s.ctx.store.db
  const task = await taskRow(w)
  const count = async (table: string, ofTask = false) => {
    const where = ofTask ? sql`where task_id = ${w.taskId}` : sql``
    const r = await sql<{ n: bigint }>`select count(*) as n from ${sql.table(table)} ${where}`.execute(db)
    return Number(r.rows[0]!.n)
  }
  return {
    task,
    transitions: await count('task_transitions', true),
    ledgerEntries: await count('ledger_entries'),
    outbox: await count('outbox'),
    jobs: await count('jobs'),
    files: await count('files'),
    ratings: await count('task_ratings'),
  }
}

const accept = (op: OperatorFixture, taskId: string) =>
  op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })
const REVIEWABLE: TaskStatus[] = ['SUBMITTED', 'MANUAL_REVIEW']
const HELD: TaskStatus[] = ['ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS']
const CANCELLABLE: TaskStatus[] = ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED']

/**
 * Every action endpoint: the statuses it is allowed from (spec §5–§7), where it leads, and how a
 * refusal reads: `holder` actions are 404 while nobody holds the task; accept is a 409 CONFLICT.
 */
type Action = [
  name: string,
  allowed: TaskStatus[],
  to: TaskStatus | null,
  call: (w: World) => Promise<ApiResponse>,
  kind?: 'holder' | 'conflict',
]
const ACTIONS: Action[] = [
  ['agent approves estimate', ['ESTIMATE_PENDING'], 'ACCEPTED', ag('/estimate/approve')],
  ['agent rejects estimate', ['ESTIMATE_PENDING'], 'PENDING', ag('/estimate/reject', { reason: 'no' })],
  ['agent approves proof', REVIEWABLE, 'COMPLETED', ag('/verify', { decision: 'APPROVE' })],
  ['agent rejects proof', REVIEWABLE, 'DISPUTED', ag('/verify', { decision: 'REJECT' })],
  ['agent cancels', CANCELLABLE, 'CANCELLED', ag('/cancel')],
  ['agent rates', ['COMPLETED'], null, ag('/rating', { score: 4 })],
  ['another operator accepts', ['PENDING'], 'ESTIMATE_PENDING', (w) => accept(w.other, w.taskId), 'conflict'],
  ['operator starts', ['ACCEPTED'], 'IN_PROGRESS', mine('/start'), 'holder'],
  ['operator releases', HELD, 'PENDING', mine('/release'), 'holder'],
  ['operator submits proof', ['IN_PROGRESS'], 'SUBMITTED', mine('/proof'), 'holder'],
  ['admin approves review', REVIEWABLE, 'COMPLETED', adm('/review', { decision: 'APPROVE' })],
  ['admin rejects review', ['MANUAL_REVIEW'], 'CANCELLED', adm('/review', { decision: 'REJECT' })],
  ['admin pays', ['DISPUTED'], 'COMPLETED', adm('/resolve', { outcome: 'PAY_OPERATOR', note: 'ok' })],
  ['admin refunds', ['DISPUTED'], 'CANCELLED', adm('/resolve', { outcome: 'REFUND_AGENT', note: 'ok' })],
]

test('canTransition is exactly the table of spec §7', () => {
  const spec = new Set(SPEC_ROWS.flatMap(([froms, tos]) => froms.flatMap((f) => tos.map((t) => `${f}>${t}`))))
  for (const from of TASK_STATUSES) {
    for (const to of TASK_STATUSES) {
      assert.equal(canTransition(from, to), spec.has(`${from}>${to}`), `${from} → ${to}`)
    }
  }
  assert.deepEqual(TRANSITIONS.COMPLETED, [])
  assert.deepEqual(TRANSITIONS.CANCELLED, [])
})

test('the cases below cover every row of TRANSITIONS, and every action leads where the table allows', () => {
  const table = Object.entries(TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`))
  const covered = new Set(ROWS.flatMap(([path]) => pairs(path).map(([f, t]) => `${f}>${t}`)))
  assert.deepEqual([...covered].sort(), table.sort())
  for (const [name, allowed, to] of ACTIONS) {
    if (to) for (const from of allowed) assert.ok(canTransition(from, to), `${name} from ${from}`)
  }
})

forEachDialect('every row of the transition table', (dialect) => {
  const server = useServer(dialect)

  for (const [path, by, how, moneyName = 'held', reason] of ROWS) {
    test(`${path.replaceAll('>', ' → ')}: ${by} (${how})`, async () => {
      // Deadline rows drive the task half an hour before its deadline, so that an estimate given
      // then has not expired by the deadline.
      const age = how === 'deadlinePasses' ? 23.5 * HOUR : 0
      const w = await reach(server(), path.split('>')[0] as TaskStatus, age)
      if (how === 'thirdWeakProof') await weakTwice(w)
      const before = await observe(w)
      const { kind: _, ...held } = MONEY.held
      assert.deepEqual(before.money, held, 'the escrow is held before the trigger')
      await T[how](w)
      const after = await observe(w)

      const steps = pairs(path)
      assert.equal(after.status, steps.at(-1)![1])
      const appended = after.transitions.slice(before.transitions.length)
      const actor = actorOf(w, by)
      assert.deepEqual(
        appended.map((t) => [t.from, t.to, t.actor]),
        steps.map(([f, t]) => [f, t, actor]),
      )
      if (reason) assert.equal(appended.at(-1)!.reason, reason)
      const events = after.events.slice(before.events.length)
      assert.deepEqual(
        events.map((e) => [e.previous_status, e.status]),
        steps,
      )
      const { kind, ...money } = MONEY[moneyName]
      assert.deepEqual(after.money, money)
      assert.deepEqual(after.kinds, [...before.kinds, ...(kind ? [kind] : [])].sort())
      assert.deepEqual((await ledgerCheck(w.s.ctx.store.db)).problems, [])
    })
  }
})

forEachDialect('every action the table does not allow is refused with 409 and leaves no trace', (dialect) => {
  const server = useServer(dialect)

  for (const status of TASK_STATUSES) {
    test(`in ${status}`, async () => {
      const w = await reach(server(), status)
      const refused = ACTIONS.filter(([, allowed]) => !allowed.includes(status))
      assert.ok(refused.length >= 9, `only ${refused.length} actions refused in ${status}`)
      for (const [name, , , call, kind] of refused) {
        const what = `${name} in ${status}`
        const noHolder = kind === 'holder' && status === 'PENDING'
        const before = await snapshot(w)
        const r = await call(w)
        assert.equal(r.status, noHolder ? 404 : 409, `${what}: ${r.text}`)
        const code = noHolder ? 'NOT_FOUND' : kind === 'conflict' ? 'CONFLICT' : 'INVALID_STATE'
        assert.equal(r.body.code, code, what)
        assert.match(r.body.error, /^[A-Z].{10,}\.$/, what)
        if (!noHolder)
          assert.ok(r.body.error.includes(status), `${what} does not name ${status}: ${r.body.error}`)
        assert.deepEqual(await snapshot(w), before, `${what} left a trace`)
      }
      if (status === 'COMPLETED') {
        await ok(ag('/rating', { score: 5 })(w), 201)
        const before = await snapshot(w)
        const again = await ag('/rating', { score: 1 })(w)
        assert.equal(again.status, 409, again.text)
        assert.equal(again.body.code, 'CONFLICT')
        assert.deepEqual(await snapshot(w), before)
      }
    })
  }
})
