// Keyset pages of the agent's task list and the operator's browse (issue 17): the same tasks, in
// the same order, with the same totals as the queries they replace (a `count(*)` and an OFFSET
// over `created_at desc, id desc`, written out below as the reference), on tasks with ties in
// `created_at`; a cursor walk that stays exact while tasks are created and change status; and
// the `task_counts` counters equal to a real count after a random mix of every transition.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { MAX_OFFSET } from '../../src/domain/cursor.ts'
import { DomainError } from '../../src/domain/errors.ts'
import { haversineKm } from '../../src/domain/geo.ts'
import type { TaskStatus } from '../../src/domain/lifecycle.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { backfill } from '../../src/store/migrations/0018-task-lists.ts'
import { backfill as backfillCells } from '../../src/store/migrations/0023-geo-bands.ts'
import type { TaskRow } from '../../src/tasks/load.ts'
import { foldTaskCountDeltas } from '../../src/tasks/task-counts.ts'
import { client } from '../helpers/api.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  proofForm,
  review,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { type Page, walk } from '../helpers/pages.ts'
import { rng } from '../helpers/seed-tasks.ts'

const TYPES = ['PHOTO', 'DELIVERY', 'INSPECTION'] as const

/** The list as the replaced code computed it: `count(*)`, then OFFSET over the sort key. */
async function oldList(s: TestServer, agentId: string, f: { status?: string; task_type?: string }) {
  let q = s.ctx.store.db.selectFrom('tasks').where('agent_id', '=', agentId)
  if (f.status) q = q.where('status', '=', f.status as TaskStatus)
  if (f.task_type) q = q.where('task_type', '=', f.task_type)
  const total = await q.select(sql<bigint>`count(*)`.as('n')).executeTakeFirstOrThrow()
  const rows = await q.select('id').orderBy('created_at', 'desc').orderBy('id', 'desc').execute()
  return { ids: rows.map((r) => r.id), total: Number(total.n) }
}

forEachDialect('task lists by cursor', (dialect) => {
  const server = useServer(dialect)

  /** 36 tasks, three per clock instant (ties in created_at), in several statuses and types. */
  async function history(s: TestServer) {
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 5000 })
    const op = await newOperator(s, { skills: [...TYPES] })
    const r = rng(3)
    const ids: string[] = []
    for (let i = 0; i < 36; i++) {
      if (i % 3 === 0) s.clock.advance(1000)
      ids.push(
        await createTask(s, agent, {
          task_type: TYPES[i % 3],
          reward_usd: 5 + (i % 4),
          deadline: new Date(s.clock.now().getTime() + (20 + (i % 5)) * 3_600_000).toISOString(),
          location: { lat: 52.52 + (r() - 0.5) * 0.6, lng: 13.405 + (r() - 0.5) * 0.9 },
        }),
      )
    }
    for (const [i, id] of ids.entries()) {
      if (i % 5 === 0) assert.equal((await agent.api.post(`/tasks/${id}/cancel`)).status, 200)
      else if (i % 7 === 0) {
        const a = await op.api.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 })
        assert.equal(a.status, 200, a.text)
      }
    }
    return { agent, op, ids }
  }

  test('agent list: offset pages and cursor pages equal the replaced query, for every filter', async () => {
    const s = server()
    const { agent } = await history(s)
    const filters = [{}, { status: 'PENDING' }, { status: 'CANCELLED' }, { task_type: 'DELIVERY' }]
    for (const f of [...filters, { status: 'PENDING', task_type: 'PHOTO' }, { status: 'COMPLETED' }]) {
      const want = await oldList(s, agent.id, f)
      const qs = new URLSearchParams(f as Record<string, string>).toString()
      for (const limit of [1, 4, 7, 100]) {
        const got = await walk(agent.api, `/tasks${qs ? `?${qs}` : ''}`, limit)
        assert.deepEqual(got.byOffset, want.ids, `offset pages ${qs} limit ${limit}`)
        assert.deepEqual(got.byCursor, want.ids, `cursor pages ${qs} limit ${limit}`)
        assert.equal(got.total, want.total, `total ${qs}`)
      }
    }
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })

  test('a cursor walk sees exactly the tasks that existed when it began, while others arrive and change', async () => {
    const s = server()
    const { agent, op, ids } = await history(s)
    const want = (await oldList(s, agent.id, {})).ids
    const seen: string[] = []
    let cursor: string | null = null
    let created = 0
    do {
      const r: { status: number; body: Page } = await agent.api.get<Page>(
        `/tasks?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      )
      assert.equal(r.status, 200)
      seen.push(...r.body.data.map((t) => t.task_id))
      cursor = r.body.pagination.next_cursor as string | null
      // Newer tasks, and one at the very instant of the newest (a tie the walk must not show).
      s.clock.advance(1)
      await createTask(s, agent)
      created++
      const open = ids.find((id, i) => i % 5 !== 0 && i % 7 !== 0 && !seen.includes(id))
      if (open) await op.api.post(`/operator/tasks/${open}/accept`, { estimate_hours: 1 })
    } while (cursor)
    assert.deepEqual(seen, want)
    const after = await agent.api.get<Page>('/tasks?limit=1')
    assert.equal(after.body.pagination.total, want.length + created)
  })

  test('a cursor that was not handed out, or one with an offset, is a 400 naming it', async () => {
    const s = server()
    const agent = await newAgent(s)
    await createTask(s, agent, { reward_usd: 2 })
    await createTask(s, agent, { reward_usd: 2 })
    const first = await agent.api.get<Page>('/tasks?limit=1')
    const cursor = first.body.pagination.next_cursor as string
    assert.ok(cursor)
    for (const bad of [
      'nope',
      Buffer.from('["a"]').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
    ]) {
      const r = await agent.api.get(`/tasks?cursor=${bad}`)
      assert.equal(r.status, 400, r.text)
      assert.equal(r.body.details[0].path, 'cursor')
    }
    const both = await agent.api.get(`/tasks?cursor=${cursor}&offset=1`)
    assert.equal(both.status, 400, both.text)
    assert.match(both.body.error, /`offset` and `cursor` cannot be combined/)
    // A compat offset is bounded (MAX_OFFSET): past it, the answer says to page by cursor, on the
    // agent's list and on the operator's browse, with and without `near`.
    const op = await newOperator(s)
    for (const [api, path] of [
      [agent.api, '/tasks'],
      [op.api, '/operator/tasks'],
      [op.api, '/operator/tasks?near=52.5,13.4&'],
    ] as const) {
      const sep = path.endsWith('&') ? '' : '?'
      const deepest = await api.get(`${path}${sep}offset=${MAX_OFFSET}`)
      assert.equal(deepest.status, 200, deepest.text)
      const past = await api.get(`${path}${sep}offset=${MAX_OFFSET + 1}`)
      assert.equal(past.status, 400, past.text)
      assert.equal(past.body.details[0].path, 'offset')
      assert.match(past.body.error, /at most 10000 .*page further with `cursor`/)
    }
    // Another agent's cursor reads only that agent's own tasks: the key is a position, not a grant.
    const other = await newAgent(s)
    const theirs = await other.api.get<Page>(`/tasks?cursor=${cursor}`)
    assert.deepEqual(theirs.body.data, [])
    assert.equal(theirs.body.pagination.total, 0)
  })

  test('operator browse: market and near-a-point pages equal the replaced computation, for every sort', async () => {
    const s = server()
    const { op } = await history(s)
    const now = s.clock.now().toISOString()
    const open = (await s.ctx.store.db
      .selectFrom('tasks')
      .selectAll()
      .where('status', '=', 'PENDING')
      .where('sandbox', '=', 0n)
      .where('deadline', '>', now)
      .execute()) as TaskRow[]
    const byId = (a: TaskRow, b: TaskRow) => (a.id < b.id ? 1 : -1)
    const market: Record<string, (a: TaskRow, b: TaskRow) => number> = {
      newest: (a, b) => (a.created_at === b.created_at ? byId(a, b) : a.created_at < b.created_at ? 1 : -1),
      reward: (a, b) =>
        a.reward_micros === b.reward_micros ? byId(a, b) : a.reward_micros < b.reward_micros ? 1 : -1,
      deadline: (a, b) => (a.deadline === b.deadline ? byId(a, b) : a.deadline > b.deadline ? 1 : -1),
    }
    for (const [sort, cmp] of Object.entries(market)) {
      const want = [...open].sort(cmp).map((t) => t.id)
      const got = await walk(op.api, `/operator/tasks?sort=${sort}`, 4)
      assert.deepEqual(got.byOffset, want, `market ${sort} by offset`)
      assert.deepEqual(got.byCursor, want, `market ${sort} by cursor`)
      assert.equal(got.total, want.length)
    }
    const [lat, lng, radius] = [52.52, 13.405, 15]
    const near = open
      .map((t) => ({ t, d: haversineKm(lat, lng, t.location_lat!, t.location_lng!) }))
      .filter((m) => m.d <= radius)
    assert.ok(near.length > 5 && near.length < open.length, `a radius that splits the market: ${near.length}`)
    const key: Record<string, (t: TaskRow) => string | bigint | 0> = {
      distance: () => 0,
      newest: (t) => t.created_at,
      reward: (t) => -t.reward_micros,
      deadline: (t) => t.deadline,
    }
    for (const sort of ['distance', 'newest', 'reward', 'deadline']) {
      const k = key[sort]!
      const want = [...near]
        .sort((a, b) => {
          const [ka, kb] = [k(a.t), k(b.t)]
          if (ka !== kb) return (sort === 'newest' ? ka < kb : ka > kb) ? 1 : -1
          return a.d !== b.d ? a.d - b.d : byId(a.t, b.t)
        })
        .map((m) => m.t.id)
      const got = await walk(op.api, `/operator/tasks?near=${lat},${lng}&radius_km=${radius}&sort=${sort}`, 3)
      assert.deepEqual(got.byOffset, want, `near ${sort} by offset`)
      assert.deepEqual(got.byCursor, want, `near ${sort} by cursor`)
      // By distance `total` counts the circle's bounding box (ADR 0026; test/http/browse-near.test.ts).
      if (sort === 'distance') assert.ok(got.total >= want.length, `${got.total} bounds ${want.length}`)
      else assert.equal(got.total, want.length)
    }
  })

  test('the counters equal a real count after a random mix of every transition, and the check sees a wrong one', async () => {
    const s = server()
    const agents = [
      await newAgent(s, { tier: 'STANDARD', deposit: 5000 }),
      await newAgent(s, { tier: 'STANDARD', deposit: 5000 }),
    ]
    const ops = [await newOperator(s, { skills: [...TYPES] }), await newOperator(s, { skills: [...TYPES] })]
    const admin = await newAdmin(s)
    const r = rng(dialect === 'sqlite' ? 11 : 12)
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!
    const tasks: { id: string; agent: AgentFixture }[] = []
    for (let step = 0; step < 260; step++) {
      const live = await s.ctx.store.db
        .selectFrom('tasks')
        .select('id')
        .where('status', 'not in', ['COMPLETED', 'CANCELLED'])
        .execute()
      const liveIds = new Set(live.map((l) => l.id))
      const moving = tasks.filter((x) => liveIds.has(x.id))
      const t = tasks.length === 0 ? null : moving.length > 0 && r() < 0.9 ? pick(moving) : pick(tasks)
      const op = pick(ops)
      const action = tasks.length < 4 ? 0 : Math.floor(r() * 11)
      if (action === 0 || !t) {
        const agent = pick(agents)
        const days = r() < 0.3 ? 1 : 7
        const deadline = new Date(s.clock.now().getTime() + days * 86_400_000).toISOString()
        const body = { task_type: pick([...TYPES]), reward_usd: 2, deadline }
        tasks.push({ id: await createTask(s, agent, body), agent })
        continue
      }
      const at = `/tasks/${t.id}`
      const row = await s.ctx.store.db
        .selectFrom('tasks')
        .select(['status', 'operator_id'])
        .where('id', '=', t.id)
        .executeTakeFirstOrThrow()
      const holder = ops.find((o) => o.id === row.operator_id) ?? op
      const cancel = () => t.agent.api.post(`${at}/cancel`)
      const accept = () => op.api.post(`/operator${at}/accept`, { estimate_hours: 1 })
      const approve = () => t.agent.api.post(`${at}/estimate/approve`)
      const start = () => holder.api.post(`/operator${at}/start`)
      const submit = () => holder.api.post(`/operator${at}/proof`, undefined, { form: proofForm() })
      const decide = (decision: 'VERIFIED' | 'MANUAL_REVIEW') => () =>
        review(s, t.id, decision).catch((err) => {
          // Chosen at random in another status: refused, nothing written.
          if (!(err instanceof DomainError && err.code === 'INVALID_STATE')) throw err
        })
      const advance = async () => {
        // Past estimate expiries (1 h) and sometimes deadlines: the timers move tasks too.
        s.clock.advance((r() < 0.15 ? 30 : 1.5) * 3_600_000)
        await s.runJobs()
        // Operator sessions expire on the same clock: log in again.
        for (const o of ops) {
          const login = await client(s.url).post('/operator/login', { email: o.email, password: o.password })
          assert.equal(login.status, 200, login.text)
          o.api = client(s.url, { token: login.body.token })
        }
      }
      // Mostly a move the task's status allows, sometimes any (a 409 must change nothing).
      const next: Record<string, (() => Promise<unknown>)[]> = {
        PENDING: [accept, accept, accept, cancel],
        ESTIMATE_PENDING: [
          approve,
          approve,
          approve,
          () => t.agent.api.post(`${at}/estimate/reject`, { reason: 'too slow' }),
          cancel,
          advance,
        ],
        ACCEPTED: [start, start, start, () => holder.api.post(`/operator${at}/release`), cancel],
        IN_PROGRESS: [submit, submit, () => holder.api.post(`/operator${at}/release`)],
        SUBMITTED: [
          decide('VERIFIED'),
          decide('MANUAL_REVIEW'),
          () => t.agent.api.post(`${at}/verify`, { decision: 'APPROVE' }),
          () => t.agent.api.post(`${at}/verify`, { decision: 'REJECT', reason: 'blurred' }),
        ],
        MANUAL_REVIEW: [() => t.agent.api.post(`${at}/verify`, { decision: 'REJECT', reason: 'blurred' })],
        DISPUTED: [
          () =>
            admin.api.post(`/admin${at}/resolve`, {
              outcome: pick(['REFUND_AGENT', 'PAY_OPERATOR']),
              note: 'ok',
            }),
        ],
      }
      const moves =
        r() < 0.85 && next[row.status] ? next[row.status]! : [...Object.values(next).flat(), advance]
      const res = (await pick(moves)()) as { status?: number; text?: string } | undefined
      if (process.env.DEBUG_MIX && res?.status && res.status >= 300)
        console.log(row.status, res.status, res.text)
      if (step % 20 === 0) await s.runJobs()
    }
    // And, whatever the draw, a dispute refunded from manual review and one paid after a rejection.
    const [agent, op] = [agents[0]!, ops[0]!]
    for (const [via, outcome] of [
      ['MANUAL_REVIEW', 'REFUND_AGENT'],
      ['SUBMITTED', 'PAY_OPERATOR'],
    ] as const) {
      const login = await client(s.url).post('/operator/login', { email: op.email, password: op.password })
      op.api = client(s.url, { token: login.body.token })
      const id = await createTask(s, agent, { reward_usd: 2 })
      await driveTo(s, agent, op, id, 'SUBMITTED')
      if (via === 'MANUAL_REVIEW') await review(s, id, 'MANUAL_REVIEW')
      const v = await agent.api.post(`/tasks/${id}/verify`, { decision: 'REJECT', reason: 'blurred' })
      assert.equal(v.status, 200, v.text)
      const d = await admin.api.post(`/admin/tasks/${id}/resolve`, { outcome, note: 'decided' })
      assert.equal(d.status, 200, d.text)
    }
    await s.runJobs()
    // Every status was passed through, refunds (cancel, dispute refunded) included.
    const visited = await s.ctx.store.db
      .selectFrom('task_transitions')
      .select('to_status')
      .distinct()
      .execute()
    assert.deepEqual(visited.map((v) => v.to_status).sort(), [
      'ACCEPTED',
      'CANCELLED',
      'COMPLETED',
      'DISPUTED',
      'ESTIMATE_PENDING',
      'IN_PROGRESS',
      'MANUAL_REVIEW',
      'PENDING',
      'SUBMITTED',
      'VERIFIED',
    ])
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
    for (const a of agents) {
      const list = await a.api.get<Page>('/tasks?limit=1')
      const real = await oldList(s, a.id, {})
      assert.equal(list.body.pagination.total, real.total)
    }
    // One counter one off: the check names it (its deltas folded first: PostgreSQL's transitions
    // add to `task_count_deltas`, and a counter is its row plus those).
    await foldTaskCountDeltas(s.ctx.store.db)
    assert.equal((await s.ctx.store.db.selectFrom('task_count_deltas').select('id').execute()).length, 0)
    const one = await s.ctx.store.db
      .selectFrom('task_counts')
      .selectAll()
      .where('scope', '=', agents[0]!.id)
      .executeTakeFirstOrThrow()
    await s.ctx.store.db
      .updateTable('task_counts')
      .set({ n: sql`n + 1` })
      .where('scope', '=', one.scope)
      .where('status', '=', one.status)
      .where('task_type', '=', one.task_type)
      .execute()
    const problems = (await ledgerCheck(s.ctx.store.db)).problems
    assert.equal(problems.length, 1, problems.join('\n'))
    assert.equal(
      problems[0],
      `task_counts ${one.scope}|${one.status}|${one.task_type} holds ${BigInt(one.n) + 1n} but the tasks count ${one.n}`,
    )
  })

  test("migrations 0018 and 0023's backfills give earlier tasks the cells and counters createTask writes", async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 5000 })
    const points = [
      [52.52, 13.405],
      [-33.8688, 151.2093],
      [90, 180],
      [-90, -180],
      [0, 0],
      [-0.0001, -0.0001],
      [12.25, -77.5],
      [-12.2500001, 77.4999999],
    ]
    const ids: string[] = []
    for (const [lat, lng] of points) ids.push(await createTask(s, agent, { location: { lat, lng } }))
    ids.push(await createTask(s, agent, { task_type: 'DATA_VALIDATION', location: undefined }))
    await agent.api.post(`/tasks/${ids[0]}/cancel`)
    const db = s.ctx.store.db
    const cells = async () =>
      (
        await db.selectFrom('tasks').select(['id', 'geo_cell']).where('id', 'in', ids).orderBy('id').execute()
      ).map((t) => [t.id, t.geo_cell === null ? null : String(t.geo_cell)])
    const written = await cells()
    assert.equal(written.filter(([, c]) => c === null).length, 1)
    await db.updateTable('tasks').set({ geo_cell: null }).execute()
    await db.deleteFrom('task_counts').execute()
    await db.deleteFrom('task_count_deltas').execute()
    await backfill(db as never, dialect)
    await backfillCells(db as never, dialect)
    assert.deepEqual(await cells(), written)
    assert.deepEqual((await ledgerCheck(db)).problems, [])
  })
})
