// The list and browse queries, read through the planner on both dialects: each must be an index
// range read that starts with the agent (or the open status, or the grid cells), never a scan of
// the table or a sort of an agent's (or the market's) rows. The queries are the ones requests
// run (`taskPageQuery`, `marketPageQuery`, `nearQuery`), over 40k seeded tasks with planner
// statistics, and on SQLite also without any (a database never ANALYZEd: issue 17).
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { type Compilable, CompiledQuery } from 'kysely'
import { boxAround } from '../../src/domain/geo.ts'
import { nearCountQuery, nearQuery, pageRowsQuery } from '../../src/operators/browse-near.ts'
import { marketPageQuery } from '../../src/operators/browse-tasks.ts'
import { taskPageQuery } from '../../src/tasks/list-tasks.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { type Dialect, forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { analyze, rng, seedTasks } from '../helpers/seed-tasks.ts'

const LIMIT = 100
/** A cursor in the middle of the seeded history (one task per 3 per ms from 2026-01-01). */
const MID = ['2026-01-01T00:00:03.000Z', 'task_zzzz']

interface SqlitePlanRow {
  id: number
  parent: number | bigint
  detail: string
}
interface PgPlan {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Index Cond'?: string
  'Plan Rows': number
  Plans?: PgPlan[]
}

async function explain(s: TestServer, dialect: Dialect, q: Compilable) {
  const c = q.compile()
  const text = dialect === 'sqlite' ? `explain query plan ${c.sql}` : `explain (format json) ${c.sql}`
  const r = await s.ctx.store.db.executeQuery(CompiledQuery.raw(text, [...c.parameters]))
  return dialect === 'sqlite'
    ? (r.rows as SqlitePlanRow[])
    : ((r.rows[0] as Record<string, [{ Plan: PgPlan }]>)['QUERY PLAN']![0].Plan as PgPlan)
}

const walk = (p: PgPlan): PgPlan[] => [p, ...(p.Plans ?? []).flatMap(walk)]

/**
 * Fails on a full scan of `tasks`, on an index other than `indexes` for it, and on any sort
 * but one of at most a page of rows at the top (the offset query's deferred join).
 */
async function assertIndexRange(
  s: TestServer,
  dialect: Dialect,
  name: string,
  q: Compilable,
  indexes: string[],
  opts: { pageSort?: boolean; covering?: boolean; bounds?: string } = {},
) {
  const plan = await explain(s, dialect, q)
  if (dialect === 'sqlite') {
    const rows = plan as SqlitePlanRow[]
    const text = rows.map((r) => r.detail).join(' | ')
    for (const r of rows) {
      assert.doesNotMatch(r.detail, /^SCAN tasks/, `${name}: a full scan (${text})`)
      const m = /^SEARCH tasks USING (?:COVERING )?INDEX (\w+)/.exec(r.detail)
      if (m && m[1] !== 'sqlite_autoindex_tasks_1') {
        assert.ok(indexes.includes(m[1]!), `${name}: reads ${m[1]}, not one of ${indexes} (${text})`)
      }
      if (/TEMP B-TREE/.test(r.detail)) {
        assert.ok(opts.pageSort && Number(r.parent) === 0, `${name}: sorts the rows it reads (${text})`)
      }
    }
    assert.ok(
      rows.some((r) => indexes.some((i) => r.detail.includes(`INDEX ${i} (`))),
      `${name}: no range read of ${indexes} (${text})`,
    )
    if (opts.covering) assert.match(text, /COVERING INDEX/, `${name}: reads table rows (${text})`)
    if (opts.bounds) {
      assert.match(
        text,
        new RegExp(`INDEX \\w+ \\([^)]*${opts.bounds}>`),
        `${name}: ${opts.bounds} does not bound the range (${text})`,
      )
    }
    return
  }
  const nodes = walk(plan as PgPlan)
  const text = JSON.stringify(nodes.map((n) => [n['Node Type'], n['Index Name'] ?? n['Relation Name'] ?? '']))
  for (const n of nodes) {
    assert.ok(
      !(n['Node Type'].includes('Seq Scan') && n['Relation Name'] === 'tasks'),
      `${name}: a full scan ${text}`,
    )
    assert.ok(!n['Node Type'].startsWith('Bitmap'), `${name}: a bitmap scan, then a sort ${text}`)
    if (n['Relation Name'] === 'tasks' && n['Index Name'] && n['Index Name'] !== 'tasks_pkey') {
      assert.ok(
        indexes.includes(n['Index Name']),
        `${name}: reads ${n['Index Name']}, not one of ${indexes} ${text}`,
      )
    }
    if (n['Node Type'].includes('Sort')) {
      const input = Math.max(...(n.Plans ?? []).map((c) => c['Plan Rows']))
      assert.ok(opts.pageSort && input <= LIMIT + 1, `${name}: sorts ${input} rows ${text}`)
    }
  }
  assert.ok(
    nodes.some((n) => n['Index Name'] && indexes.includes(n['Index Name'])),
    `${name}: no range read of ${indexes} ${text}`,
  )
  if (opts.bounds) {
    const conds = nodes.map((n) => n['Index Cond'] ?? '').join(' | ')
    assert.ok(conds.includes(opts.bounds), `${name}: ${opts.bounds} does not bound the range (${conds})`)
  }
}

forEachDialect('list and browse query plans', (dialect) => {
  const server = useServer(dialect)
  let agentId = ''
  /** An agent that was busy last year: every one of its tasks is older than the 40k above. */
  let pastId = ''

  before(async () => {
    const s = server()
    const [a, b, c] = [await newAgent(s), await newAgent(s), await newAgent(s)]
    agentId = a.id
    pastId = c.id
    const r = rng(17)
    const deadline = new Date(s.clock.now().getTime() + 86_400_000)
    const anywhere = () => ({ lat: -60 + r() * 130, lng: -180 + r() * 360 })
    // A history like a busy platform's: most tasks finished, a tenth open.
    const history = (i: number) =>
      i % 10 === 0 ? 'PENDING' : i % 10 === 1 ? 'ACCEPTED' : i % 10 < 4 ? 'CANCELLED' : 'COMPLETED'
    // Written first, as its tasks would have been: the table's order is the order of time.
    const lastYear = Date.parse('2025-01-01T00:00:00.000Z')
    await seedTasks(s.ctx.store, {
      agentId: c.id,
      n: 20_000,
      deadline,
      status: history,
      taskType: (i) => (i % 4 ? 'PHOTO' : 'DELIVERY'),
      createdAt: (i) => new Date(lastYear + i * 1000),
      location: anywhere,
    })
    await seedTasks(s.ctx.store, { agentId: a.id, n: 20_000, deadline, status: history, location: anywhere })
    await seedTasks(s.ctx.store, {
      agentId: b.id,
      n: 20_000,
      deadline,
      status: (i) => (i % 3 ? 'COMPLETED' : 'PENDING'),
      taskType: (i) => (i % 4 ? 'PHOTO' : 'DELIVERY'),
      location: anywhere,
    })
  })

  const cases = (label: string) => {
    test(`agent list: first page, cursor pages, filters and offset read the agent's index (${label})`, async () => {
      const s = server()
      const page = { limit: LIMIT, offset: 0, after: null }
      const check = (name: string, q: Compilable, idx: string[], o = {}) =>
        assertIndexRange(s, dialect, name, q, idx, o)
      await check('first page', taskPageQuery(s.ctx.store, agentId, page), ['tasks_agent_list'])
      await check('cursor page', taskPageQuery(s.ctx.store, agentId, { ...page, after: MID }), [
        'tasks_agent_list',
      ])
      await check('status', taskPageQuery(s.ctx.store, agentId, { ...page, status: 'PENDING' }), [
        'tasks_agent_status_list',
      ])
      await check(
        'status, cursor',
        taskPageQuery(s.ctx.store, agentId, { ...page, status: 'COMPLETED', after: MID }),
        ['tasks_agent_status_list'],
      )
      await check('task_type', taskPageQuery(s.ctx.store, agentId, { ...page, task_type: 'DELIVERY' }), [
        'tasks_agent_type_list',
      ])
      await check(
        'status and task_type',
        taskPageQuery(s.ctx.store, agentId, { ...page, status: 'PENDING', task_type: 'PHOTO' }),
        ['tasks_agent_status_list', 'tasks_agent_type_list'],
      )
      await check(
        'offset 300',
        taskPageQuery(s.ctx.store, agentId, { ...page, offset: 300 }),
        ['tasks_agent_list'],
        {
          pageSort: true,
        },
      )
    })

    // With statistics PostgreSQL took the newest tasks of everyone (`tasks_created`, or
    // `tasks_status_list` with a status) and filtered them by agent, expecting the agent's share of
    // them to come soon: for this agent it reads every newer task of the platform first.
    test(`agent list: an agent whose tasks are all older than the rest still reads its own index (${label})`, async () => {
      const s = server()
      const page = { limit: LIMIT, offset: 0, after: null }
      const check = (name: string, q: Compilable, idx: string[], o = {}) =>
        assertIndexRange(s, dialect, name, q, idx, o)
      await check('first page', taskPageQuery(s.ctx.store, pastId, page), ['tasks_agent_list'])
      await check('status', taskPageQuery(s.ctx.store, pastId, { ...page, status: 'COMPLETED' }), [
        'tasks_agent_status_list',
        'tasks_agent_list',
      ])
      await check('status PENDING', taskPageQuery(s.ctx.store, pastId, { ...page, status: 'PENDING' }), [
        'tasks_agent_status_list',
        'tasks_agent_list',
      ])
      await check('task_type', taskPageQuery(s.ctx.store, pastId, { ...page, task_type: 'PHOTO' }), [
        'tasks_agent_type_list',
        'tasks_agent_list',
      ])
      await check(
        'offset 300',
        taskPageQuery(s.ctx.store, pastId, { ...page, offset: 300 }),
        ['tasks_agent_list'],
        {
          pageSort: true,
        },
      )
    })

    test(`operator browse: the open-status index, and the grid cells near a point (${label})`, async () => {
      const s = server()
      const db = s.ctx.store.db
      const now = s.clock.now()
      const page = { limit: LIMIT, offset: 0, sort: 'newest' as const, after: null }
      const check = (name: string, q: Compilable, idx: string[], o = {}) =>
        assertIndexRange(s, dialect, name, q, idx, o)
      await check('market', marketPageQuery(db, now, [], page), ['tasks_status_list'])
      await check('market, skills', marketPageQuery(db, now, ['PHOTO', 'DELIVERY'], page), [
        'tasks_status_list',
      ])
      await check('market, cursor', marketPageQuery(db, now, [], { ...page, after: MID }), [
        'tasks_status_list',
      ])
      const box = (km: number) => ({ box: boxAround(48.85, 2.35, km) })
      // Near a point only index entries are read (SQLite says so; PostgreSQL's index-only scan
      // also depends on its visibility map, so it is not asserted there), one range of longitude
      // per band of latitude (ADR 0026).
      const near = { covering: true, bounds: 'location_lng' }
      await check('near, 2 km', nearQuery(db, now, [], box(2)), ['tasks_status_cell'], near)
      await check('near', nearQuery(db, now, [], box(25)), ['tasks_status_cell'], near)
      await check('near, count', nearCountQuery(db, now, [], box(25)), ['tasks_status_cell'], near)
      const ids = ['task_a', 'task_b', 'task_c']
      await check('near, the page by id', pageRowsQuery(db, ids), [
        'sqlite_autoindex_tasks_1',
        'tasks_pkey',
        'tasks_head',
      ])
      await check('near, 300 km', nearQuery(db, now, ['PHOTO'], box(300)), ['tasks_status_cell'], {
        bounds: 'location_lng',
      })
    })
  }

  if (dialect === 'sqlite') cases('no statistics')
  test('ANALYZE', async () => analyze(server().ctx.store))
  cases('with statistics')
})
