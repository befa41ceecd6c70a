import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { migrationHelpers } from '../../src/server.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  type OperatorFixture,
  review,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'

type Row = Record<string, number | string | null>

const DAY_MS = 86_400_000
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)

/**
 * The figures from scratch, written apart from `computeDays`: one plain grouped query per figure
 * over the whole raw tables (no ranges, no window functions), the median in JavaScript from the
 * durations the database returns, money summed in SQL as micro-dollars.
 */
async function fromScratch(s: TestServer, from: string, to: string): Promise<Map<string, Row>> {
  const db = s.ctx.store.db
  const out = new Map<string, Row>()
  for (let d = from; d <= to; d = addDays(d, 1)) {
    out.set(d, {
      day: d,
      tasks_created: 0,
      tasks_completed: 0,
      escrowed_usd: 0,
      released_usd: 0,
      refunded_usd: 0,
      fee_revenue_usd: 0,
      guardian_verified: 0,
      guardian_manual_review: 0,
      guardian_resubmit: 0,
      median_completion_s: null,
    })
  }
  const put = (day: string, key: string, v: number | null) => {
    const r = out.get(day)
    if (r) r[key] = v
  }
  const q = async (text: string) => (await sql.raw<{ day: string; v: unknown }>(text).execute(db)).rows
  for (const r of await q(`select substr(created_at, 1, 10) as day, count(*) as v from tasks group by 1`))
    put(r.day, 'tasks_created', Number(r.v))
  for (const r of await q(
    `select substr(completed_at, 1, 10) as day, count(*) as v from tasks where completed_at is not null group by 1`,
  ))
    put(r.day, 'tasks_completed', Number(r.v))
  const money = async (key: string, where: string) => {
    for (const r of await q(
      `select substr(t.created_at, 1, 10) as day, sum(e.amount_micros) as v
       from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
       where e.amount_micros > 0 and ${where} group by 1`,
    ))
      put(r.day, key, Number(r.v) / 1e6)
  }
  await money('escrowed_usd', `t.kind = 'escrow.hold' and e.account_id like 'agent:%:escrow'`)
  await money('released_usd', `t.kind like 'escrow.%' and e.account_id like 'operator:%'`)
  await money('refunded_usd', `t.kind like 'escrow.%' and e.account_id like 'agent:%:available'`)
  await money('fee_revenue_usd', `t.kind like 'escrow.%' and e.account_id = 'platform:revenue'`)
  for (const [status, key] of [
    ['VERIFIED', 'guardian_verified'],
    ['MANUAL_REVIEW', 'guardian_manual_review'],
    ['IN_PROGRESS', 'guardian_resubmit'],
  ] as const) {
    for (const r of await q(
      `select substr(at, 1, 10) as day, count(*) as v from task_transitions
       where actor = 'system:guardian' and from_status = 'SUBMITTED' and to_status = '${status}' group by 1`,
    ))
      put(r.day, key, Number(r.v))
  }
  const done = await db
    .selectFrom('tasks')
    .select(['created_at', 'completed_at'])
    .where('completed_at', 'is not', null)
    .execute()
  const durations = new Map<string, number[]>()
  for (const t of done) {
    const day = t.completed_at!.slice(0, 10)
    const list = durations.get(day) ?? []
    list.push((Date.parse(t.completed_at!) - Date.parse(t.created_at)) / 1000)
    durations.set(day, list)
  }
  for (const [day, list] of durations) {
    list.sort((a, b) => a - b)
    const mid = Math.floor(list.length / 2)
    const median = list.length % 2 ? list[mid]! : (list[mid - 1]! + list[mid]!) / 2
    put(day, 'median_completion_s', Math.round(median))
  }
  return out
}

async function assertMatches(s: TestServer, api: Admin, from: string, to: string) {
  const r = await api.get(`/admin/stats/daily?from=${from}&to=${to}`)
  assert.equal(r.status, 200, r.text)
  const want = await fromScratch(s, from, to)
  assert.equal(r.body.data.length, want.size)
  for (const got of r.body.data as Row[]) {
    assert.deepEqual(got, want.get(got.day as string), `day ${got.day}`)
  }
  return r.body.data as Row[]
}

type Admin = Awaited<ReturnType<typeof newAdmin>>['api']

const folded = async (s: TestServer) =>
  (await s.ctx.store.db.selectFrom('daily_stats').select('day').orderBy('day').execute()).map((r) => r.day)

/** A small seeded generator, so a failure can be replayed. */
function prng(seed: number) {
  let x = seed
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31
    return x / 2 ** 31
  }
}

// Each suite has its own server: the rollup is per database. Operator tokens outlive the days the clock jumps over.
const OVER = { operatorTokenTtlS: 30 * 86_400 }

forEachDialect('daily figures: a random mix against a from-scratch computation (ADR 0023)', (dialect) => {
  const server = useServer(dialect, OVER)

  test('a random mix over four days (refunds, splits, resubmissions, manual reviews) matches a from-scratch computation', async () => {
    const s = server()
    s.clock.set('2026-05-01T18:00:00.000Z')
    const admin = (await newAdmin(s)).api
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 2000 })
    const seed = Number(process.env.STATS_SEED ?? 20260501)
    const rnd = prng(seed)
    const kinds: string[] = []
    // A new operator for each task: one holds at most 5 unfinished tasks, and manual reviews stay theirs.
    const step = async (a: AgentFixture, o: OperatorFixture) => {
      const reward = 5 + Math.floor(rnd() * 26)
      const id = await createTask(s, a, { reward_usd: reward })
      const pick = rnd()
      s.clock.advance(Math.floor(rnd() * 90 * 60_000))
      if (pick < 0.15) {
        kinds.push('refund')
        assert.equal((await a.api.post(`/tasks/${id}/cancel`, {})).status, 200)
        return
      }
      if (pick < 0.25) {
        kinds.push('pending')
        return
      }
      await driveTo(s, a, o, id, 'SUBMITTED')
      s.clock.advance(Math.floor(rnd() * 120 * 60_000))
      if (pick < 0.4) {
        kinds.push('split')
        const rej = await a.api.post(`/tasks/${id}/verify`, { decision: 'REJECT', reason: 'half done' })
        assert.equal(rej.status, 200, rej.text)
        const percent = 10 + Math.floor(rnd() * 80)
        const r = await admin.post(`/admin/tasks/${id}/resolve`, {
          outcome: 'SPLIT',
          operator_percent: percent,
          note: 'partly done',
        })
        assert.equal(r.status, 200, r.text)
      } else if (pick < 0.5) {
        kinds.push('manual')
        await review(s, id, 'MANUAL_REVIEW')
      } else if (pick < 0.6) {
        kinds.push('resubmit')
        await review(s, id, 'RESUBMIT')
      } else {
        kinds.push('verified')
        await review(s, id, 'VERIFIED', 95)
      }
    }
    // About 3½ days of activity, crossing midnight three times.
    while (s.clock.now().toISOString() < '2026-05-04T21:00:00.000Z') await step(agent, await newOperator(s))
    for (const k of ['refund', 'split', 'verified', 'manual', 'resubmit']) assert.ok(kinds.includes(k), k)
    const today = s.clock.now().toISOString().slice(0, 10)
    assert.equal(today, '2026-05-04')

    assert.deepEqual(await folded(s), [])
    const first = await assertMatches(s, admin, '2026-04-29', '2026-05-06')
    for (const k of ['tasks_completed', 'refunded_usd', 'guardian_manual_review', 'guardian_resubmit'])
      assert.ok(
        first.some((d) => Number(d[k]) > 0),
        k,
      )
    // Closed days are stored; today and the days after it are not.
    assert.deepEqual(await folded(s), ['2026-04-29', '2026-04-30', '2026-05-01', '2026-05-02', '2026-05-03'])
    // The second answer, from the rollup, is the same.
    const again = await admin.get('/admin/stats/daily?from=2026-04-29&to=2026-05-06')
    assert.deepEqual(again.body.data, first)
    // Past midnight and the grace period: yesterday is folded, today computed live, and still equal.
    s.clock.set('2026-05-05T00:30:00.000Z')
    await step(agent, await newOperator(s))
    await assertMatches(s, admin, '2026-04-29', '2026-05-06')
    assert.equal((await folded(s)).at(-1), '2026-05-04')
  })
})

forEachDialect(
  'daily figures: consistent after each transition, folded after the grace period',
  (dialect) => {
    const server = useServer(dialect, OVER)

    test('after each transition today’s figures move at once; a day folds only after its grace period, and is then read from the rollup', async () => {
      const s = server()
      s.clock.set('2026-07-01T23:30:00.000Z')
      const admin = (await newAdmin(s)).api
      const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
      const op = await newOperator(s)
      const day = async (d: string) => {
        const r = await admin.get(`/admin/stats/daily?from=${d}&to=${d}`)
        assert.equal(r.status, 200, r.text)
        return r.body.data[0] as Row
      }
      const a = await createTask(s, agent, { reward_usd: 10 }) // fee $1
      assert.equal((await day('2026-07-01')).tasks_created, 1)
      assert.equal((await day('2026-07-01')).escrowed_usd, 11)
      await driveTo(s, agent, op, a, 'SUBMITTED')
      s.clock.advance(20 * 60_000) // 23:50
      await review(s, a, 'VERIFIED', 95)
      let d1 = await day('2026-07-01')
      assert.equal(d1.tasks_completed, 1)
      assert.equal(d1.released_usd, 10)
      assert.equal(d1.fee_revenue_usd, 1)
      assert.equal(d1.guardian_verified, 1)
      assert.equal(d1.median_completion_s, 20 * 60)
      const b = await createTask(s, agent, { reward_usd: 5 })
      assert.equal((await day('2026-07-01')).tasks_created, 2)
      // 00:05 the next day: within the grace period, the 1st is still computed live, not stored.
      s.clock.set('2026-07-02T00:05:00.000Z')
      assert.equal((await day('2026-07-01')).tasks_created, 2)
      assert.deepEqual(await folded(s), [])
      assert.equal((await agent.api.post(`/tasks/${b}/cancel`, {})).status, 200)
      const d2 = await day('2026-07-02')
      assert.equal(d2.refunded_usd, 6)
      assert.equal(d2.tasks_created, 0)
      // 00:20: the 1st is closed; the first read folds it, and it matches the raw tables.
      s.clock.set('2026-07-02T00:20:00.000Z')
      await assertMatches(s, admin, '2026-07-01', '2026-07-02')
      assert.deepEqual(await folded(s), ['2026-07-01'])
      // Read from the rollup, not recomputed: a change to the stored row shows (and is put back).
      const db = s.ctx.store.db
      await db
        .updateTable('daily_stats')
        .set({ tasks_created: 999n })
        .where('day', '=', '2026-07-01')
        .execute()
      assert.equal((await day('2026-07-01')).tasks_created, 999)
      await db.updateTable('daily_stats').set({ tasks_created: 2n }).where('day', '=', '2026-07-01').execute()
      d1 = await day('2026-07-01')
      assert.equal(d1.tasks_created, 2)
      // Today keeps moving with each transition.
      const c = await createTask(s, agent, { reward_usd: 8 })
      await driveTo(s, agent, op, c, 'SUBMITTED')
      await review(s, c, 'MANUAL_REVIEW')
      await assertMatches(s, admin, '2026-06-30', '2026-07-03')
      assert.equal((await day('2026-07-02')).guardian_manual_review, 1)
      assert.deepEqual(await folded(s), ['2026-06-30', '2026-07-01'])
      // Two requests folding the same closed days at once (two console tabs, two processes): both
      // answer, the same, and each day is stored once.
      const [x, y] = await Promise.all([
        admin.get('/admin/stats/daily?from=2026-06-01&to=2026-06-29'),
        admin.get('/admin/stats/daily?from=2026-06-10&to=2026-06-29'),
      ])
      assert.equal(x.status, 200, x.text)
      assert.equal(y.status, 200, y.text)
      assert.deepEqual(x.body.data.slice(9), y.body.data)
      const june = await db
        .selectFrom('daily_stats')
        .select(sql<number>`count(*)`.as('n'))
        .where('day', '>=', '2026-06-01')
        .where('day', '<=', '2026-06-30')
        .executeTakeFirstOrThrow()
      assert.equal(Number(june.n), 30)
    })
  },
)

forEachDialect('daily figures: the backfill of migration 0020', (dialect) => {
  const server = useServer(dialect, OVER)

  test('migration 0020 backfills every closed day from the first task, by the context’s clock', async () => {
    const s = server()
    s.clock.set('2026-08-10T12:00:00.000Z')
    const admin = (await newAdmin(s)).api
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 300 })
    const op = await newOperator(s)
    for (let i = 0; i < 3; i++) {
      const id = await createTask(s, agent, { reward_usd: 10 + i })
      await driveTo(s, agent, op, id, 'SUBMITTED')
      s.clock.advance((30 + i * 7) * 60_000)
      await review(s, id, 'VERIFIED', 95)
      s.clock.advance(DAY_MS)
    }
    const db = s.ctx.store.db
    // As before the upgrade: no rollup table, the migration not applied.
    await sql`drop table daily_stats`.execute(db)
    await sql`delete from humcli_migrations where name = '0020-daily-stats-rollup'`.execute(db)
    await assert.rejects(migrateToLatest(db as never, s.ctx.store.dialect), /must run through openContext/)
    assert.deepEqual(
      await migrateToLatest(db as never, s.ctx.store.dialect, migrationHelpers(s.ctx.secrets, s.clock)),
      ['0020-daily-stats-rollup'],
    )
    // Now 2026-08-13 12:00: the 10th, 11th and 12th are closed and stored, today is not.
    assert.deepEqual(await folded(s), ['2026-08-10', '2026-08-11', '2026-08-12'])
    const stored = await db.selectFrom('daily_stats').selectAll().orderBy('day').execute()
    assert.deepEqual(
      stored.map((r) => [Number(r.tasks_completed), Number(r.median_completion_s)]),
      [
        [1, 30 * 60],
        [1, 37 * 60],
        [1, 44 * 60],
      ],
    )
    await assertMatches(s, admin, '2026-08-09', '2026-08-13')
  })
})
