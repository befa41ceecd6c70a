/**
 * ADR 0024: PostgreSQL writes a create in one statement (`humcli_create_task`), SQLite a statement
 * per step. Both must store the same rows and refuse the same creates with the same errors: the
 * same creates run on both, at the same clock time, and every row they touch is compared.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { TIER_LIMITS } from '../../src/domain/tiers.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { taskCountProblems } from '../../src/ledger/task-count-check.ts'
import { type CreateTaskInput, createTask } from '../../src/tasks/create-task.ts'
import { type AgentFixture, newAgent } from '../helpers/fixtures.ts'
import { PG_URL, startTestServer, type TestServer } from '../helpers/harness.ts'

const TABLES = [
  ['tasks', 'created_at'],
  ['task_transitions', 'id'],
  ['jobs', 'id'],
  ['task_counts', 'scope'],
  ['agent_daily_usage', 'agent_id'],
  ['accounts', 'id'],
  ['ledger_transactions', 'created_at'],
  ['ledger_entries', 'id'],
] as const

/** Every row of the tables a create writes, with generated ids replaced by their order of appearance. */
async function rows(s: TestServer, agents: AgentFixture[]): Promise<unknown> {
  const names = new Map<string, string>(agents.map((a, i) => [a.id, `agent${i}`]))
  const name = (v: string) => {
    if (!names.has(v)) names.set(v, `${v.split('_')[0]}#${names.size}`)
    return names.get(v)!
  }
  const normal = (v: unknown): unknown => {
    if (typeof v !== 'string') return v
    const ids = /\b(task|ltx|dep)_[0-9a-z]+/g
    let out = v.replace(ids, (id) => name(id))
    for (const [id, n] of names) out = out.split(id).join(n)
    return out.replace(/^market:\d$/, 'market:*')
  }
  const out: Record<string, unknown[]> = {}
  for (const [table, order] of TABLES) {
    let q = s.ctx.store.db
      .selectFrom(table)
      .selectAll()
      .orderBy(order as never)
    // The jobs a create queues (registration and deposits queue mail and webhooks too).
    if (table === 'jobs') q = q.where('kind' as never, 'in', ['task.deadline', 'sandbox.accept'] as never)
    const all = await q.execute()
    out[table] = all
      .map((r) => {
        const row: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(r)) {
          // Serial ids and the sealed secret's nonce differ by construction; the shard follows the agent's id.
          if (k === 'id' && typeof v === 'bigint') continue
          row[k] = k === 'callback_secret' && v !== null ? 'sealed' : normal(v)
        }
        return row
      })
      .sort((a, b) => (key(a) < key(b) ? -1 : 1))
  }
  // The market's shards (each agent's own, by its random id) summed.
  const counts = new Map<string, Record<string, unknown>>()
  for (const r of out.task_counts as { scope: string; status: string; task_type: string; n: bigint }[]) {
    const k = `${r.scope}|${r.status}|${r.task_type}`
    const seen = counts.get(k) as typeof r | undefined
    if (seen) seen.n += r.n
    else counts.set(k, { ...r })
  }
  out.task_counts = [...counts.values()]
  return out
}

const key = (row: unknown) => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))

const deadline = (s: TestServer) => new Date(s.clock.now().getTime() + 86_400_000).toISOString()

/** A $5 digital task ($6 in escrow with the fee). */
const fiveDollarForm = (s: TestServer): CreateTaskInput => ({
  title: 'Check a form',
  description: 'Does it submit?',
  task_type: 'FORM_FILLING',
  reward_usd: 5,
  deadline: deadline(s),
  proof_requirements: ['a screenshot'],
  digital_instructions: 'Open the page and submit the form.',
})

/** The same creates on a server: funded ones, a sandbox one, one over the balance, three over the day's limits. */
async function creates(s: TestServer): Promise<{ agents: AgentFixture[]; outcomes: string[] }> {
  const rich = await newAgent(s, { tier: 'STANDARD', deposit: 60 })
  const poor = await newAgent(s, { tier: 'STANDARD', deposit: 5 })
  const sandbox = await newAgent(s)
  const photo = {
    title: 'Photo',
    description: 'A storefront',
    task_type: 'PHOTO' as const,
    reward_usd: 15.25,
    deadline: deadline(s),
    proof_requirements: ['one photo'],
    location: { lat: 52.52, lng: 13.405, address: '1 Main St' },
    callback_url: 'http://127.0.0.1:9/hook',
    metadata: { order: '42' },
  }
  const form = {
    title: 'Check a form',
    description: 'Does it submit?',
    task_type: 'FORM_FILLING' as const,
    reward_usd: 5,
    deadline: deadline(s),
    proof_requirements: ['a screenshot'],
    digital_instructions: 'Open the page and submit the form.',
  }
  const outcomes: string[] = []
  const attempt = async (agent: AgentFixture, input: CreateTaskInput) => {
    try {
      const { task } = await createTask(s.ctx, agent.id, input)
      outcomes.push(`created ${task.status}`)
    } catch (err) {
      outcomes.push(`${(err as { code?: string }).code}: ${(err as Error).message}`)
    }
    s.clock.advance(1000)
  }
  await attempt(rich, photo) // escrow $16.25
  await attempt(rich, form) // $6: $22.25 today
  await attempt(rich, { ...form, reward_usd: 20 }) // $21 would pass $35: refused by the upsert's guard
  await attempt(poor, form) // $6 on a $5 balance
  await attempt(sandbox, { ...form, reward_usd: 2 })
  await attempt(rich, { ...form, reward_usd: 40 }) // $42 is over $35 alone: refused before any write
  await attempt(rich, { ...form, reward_usd: 10 }) // $11: $33.25 today, the third task
  await attempt(rich, form) // a fourth task
  return { agents: [rich, poor, sandbox], outcomes }
}

describe('a create stores the same rows on SQLite and PostgreSQL (ADR 0024)', { skip: !PG_URL }, () => {
  const servers: TestServer[] = []
  // STANDARD agents may create 3 tasks and escrow $35 a day here.
  const STANDARD = { ...TIER_LIMITS.STANDARD, maxDailyTasks: 3, maxDailySpendMicros: 35_000_000n }
  const tierLimits = { ...TIER_LIMITS, STANDARD }
  before(async () => {
    for (const dialect of ['sqlite', 'postgres'] as const) {
      servers.push(await startTestServer(dialect, { tierLimits, sandboxStepMs: 0 }))
    }
  })
  after(() => Promise.all(servers.map((s) => s.close())))

  test('the same outcomes, errors and rows', async () => {
    const [sqlite, postgres] = servers as [TestServer, TestServer]
    const a = await creates(sqlite)
    const b = await creates(postgres)
    assert.deepEqual(b.outcomes, a.outcomes)
    const codes = a.outcomes.map((o) => o.split(':')[0])
    assert.deepEqual(codes, [
      'created PENDING',
      'created PENDING',
      'LIMIT_EXCEEDED',
      'INSUFFICIENT_BALANCE',
      'created PENDING',
      'LIMIT_EXCEEDED',
      'created PENDING',
      'LIMIT_EXCEEDED',
    ])
    // Today's usage in the errors: PostgreSQL's function hands it back in its DETAIL.
    assert.match(a.outcomes[2]!, /\(maxDailySpend\); today's spend is \$22\.25 and this task needs \$21/)
    assert.match(a.outcomes[5]!, /\(maxDailySpend\); today's spend is \$22\.25 and this task needs \$42/)
    assert.match(a.outcomes[7]!, /at most 3 tasks per day \(maxDailyTasks\)/)
    assert.deepEqual(await rows(postgres, b.agents), await rows(sqlite, a.agents))
  })
})

describe('creates at once on SQLite and PostgreSQL (batched there, ADR 0024)', { skip: !PG_URL }, () => {
  const servers: TestServer[] = []
  before(async () => {
    for (const dialect of ['sqlite', 'postgres'] as const) servers.push(await startTestServer(dialect))
  })
  after(() => Promise.all(servers.map((s) => s.close())))

  test('creates at once (batched on PostgreSQL): each refused alone, the balance never below zero', async () => {
    for (const s of servers) {
      // $42 pays for exactly seven $5 tasks ($6 escrow each): of twenty at once, thirteen are refused.
      const agent = await newAgent(s, { tier: 'STANDARD', deposit: 42 })
      const input = fiveDollarForm(s)
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () =>
          createTask(s.ctx, agent.id, input).then(
            () => 'created',
            (err: { code?: string }) => err.code,
          ),
        ),
      )
      const n = (o: string) => outcomes.filter((x) => x === o).length
      assert.deepEqual([n('created'), n('INSUFFICIENT_BALANCE')], [7, 13], s.ctx.store.dialect)
      const balances = await s.ctx.store.db
        .selectFrom('accounts')
        .select(['id', 'balance_micros'])
        .where('id', 'like', `agent:${agent.id}:%`)
        .orderBy('id')
        .execute()
      assert.deepEqual(
        balances.map((b) => b.balance_micros),
        [0n, 42_000_000n],
        `${s.ctx.store.dialect}: available, escrow`,
      )
      const tasks = await s.ctx.store.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<bigint>().as('n'))
        .where('agent_id', '=', agent.id)
        .executeTakeFirstOrThrow()
      assert.equal(BigInt(tasks.n), 7n)
      // A refused create of a batch takes back its counters and its day's usage (migration 0028).
      const usage = await s.ctx.store.db
        .selectFrom('agent_daily_usage')
        .select(['tasks', 'spend_micros'])
        .where('agent_id', '=', agent.id)
        .executeTakeFirstOrThrow()
      assert.deepEqual([usage.tasks, usage.spend_micros], [7n, 42_000_000n], s.ctx.store.dialect)
      assert.deepEqual(await taskCountProblems(s.ctx.store.db), [], s.ctx.store.dialect)
      assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [], s.ctx.store.dialect)
    }
  })

  test('a batch of one agent creates no MultiXact per create (PostgreSQL, no subtransactions)', async () => {
    const s = servers[1]!
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 240 })
    const input = fiveDollarForm(s)
    // How many MultiXacts the cluster has handed out (the age of a fixed one grows by one each).
    const made = async () =>
      BigInt(
        (
          await sql<{ n: string }>`select mxid_age(datminmxid)::text as n from pg_database
            where datname = current_database()`.execute(s.ctx.store.db)
        ).rows[0]!.n,
      )
    const before = await made()
    const results = await Promise.all(Array.from({ length: 40 }, () => createTask(s.ctx, agent.id, input)))
    const after = await made()
    assert.equal(results.length, 40)
    // Each create of a batch in its own subtransaction locked the agent's row (the foreign key of
    // tasks.agent_id) under another transaction id: about two MultiXacts per create, 79 for these 40.
    assert.ok(after - before < 10n, `${after - before} MultiXacts for 40 creates`)
  })

  test('a refused debit takes back the changes before it (PostgreSQL)', async () => {
    const s = servers[1]!
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 10 })
    const day = '2026-12-03'
    const available = `agent:${agent.id}:available`
    const escrowAccount = `agent:${agent.id}:escrow`
    // A posting whose credit comes before a debit the account cannot cover (no create plans one
    // today: its debit sorts first). A refusal returns before the task is written, so no task.
    const plan = {
      counts: [{ scope: agent.id, status: 'PENDING', task_type: 'PHOTO', n: '1' }],
      usage: { agent_id: agent.id, day, spend: '50000000', max_tasks: '10', max_spend: '100000000' },
      posting: {
        transaction: { id: 'ltx_refused', kind: 'escrow.hold', task_id: null, memo: null, created_at: day },
        changes: [
          { account: escrowAccount, amount: '50000000', debit: false },
          { account: available, amount: '50000000', debit: true },
        ],
        entries: [],
      },
    }
    const balances = () =>
      s.ctx.store.db
        .selectFrom('accounts')
        .select(['id', 'balance_micros'])
        .where('id', 'in', [available, escrowAccount])
        .orderBy('id')
        .execute()
    const was = await balances()
    const r = await sql<{ r: { code: string; detail: string } }>`
      select humcli_try_create_task(${JSON.stringify(plan)}::jsonb) as r`.execute(s.ctx.store.db)
    assert.deepEqual(r.rows[0]!.r, { code: 'HC002', detail: available })
    const now = await balances()
    assert.deepEqual(
      now.map((b) => [b.id, b.balance_micros]),
      [[available, 10_000_000n], ...(now.length > 1 ? [[escrowAccount, 0n]] : [])],
    )
    assert.deepEqual(
      was.map((b) => b.balance_micros),
      [10_000_000n],
    )
    const usage = await s.ctx.store.db
      .selectFrom('agent_daily_usage')
      .select(['tasks', 'spend_micros'])
      .where('agent_id', '=', agent.id)
      .where('day', '=', day)
      .executeTakeFirstOrThrow()
    assert.deepEqual([usage.tasks, usage.spend_micros], [0n, 0n])
    const counts = await s.ctx.store.db
      .selectFrom('task_counts')
      .select('n')
      .where('scope', '=', agent.id)
      .execute()
    assert.deepEqual(
      counts.map((c) => c.n),
      [0n],
    )
    assert.equal(
      (
        await s.ctx.store.db
          .selectFrom('ledger_transactions')
          .select('id')
          .where('id', '=', 'ltx_refused')
          .execute()
      ).length,
      0,
    )
  })
})
