// Browse near a point, read box by box for `sort=distance` (ADR 0026), against a brute-force
// computation over a few thousand seeded tasks on both dialects: every page in the same order as
// a sort of all open tasks by distance (ties broken by id, descending), by cursor and by offset,
// with the page boundaries falling inside runs of equal distances; `total` by distance is the
// count of the circle's bounding box, labelled so.
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { boxAround, haversineKm } from '../../src/domain/geo.ts'
import type { TaskRow } from '../../src/tasks/load.ts'
import { newAgent, newOperator, type OperatorFixture } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { type Page, walk } from '../helpers/pages.ts'
import { rng, seedTasks } from '../helpers/seed-tasks.ts'

const [LAT, LNG] = [52.52, 13.405]
/** Points many tasks share, so that runs of equal distances cross page boundaries. */
const SHARED = [
  [LAT, LNG],
  [LAT + 0.009, LNG],
  [LAT, LNG + 0.015],
  [LAT - 0.02, LNG - 0.02],
] as const

forEachDialect('browse near a point, box by box', (dialect) => {
  const server = useServer(dialect)
  let op: OperatorFixture
  let open: TaskRow[]

  before(async () => {
    const s = server()
    const agent = await newAgent(s)
    op = await newOperator(s, { skills: ['PHOTO', 'DELIVERY'] })
    const r = rng(26)
    const deadline = new Date(s.clock.now().getTime() + 86_400_000)
    await seedTasks(s.ctx.store, {
      agentId: agent.id,
      n: 4000,
      deadline,
      status: (i) => (i % 7 === 3 ? 'ACCEPTED' : 'PENDING'),
      taskType: (i) => (i % 5 === 0 ? 'INSPECTION' : i % 2 ? 'PHOTO' : 'DELIVERY'),
      location: (i) => {
        if (i % 4 === 0) {
          const [lat, lng] = SHARED[(i / 4) % SHARED.length]!
          return { lat, lng }
        }
        if (i % 4 === 1) return { lat: LAT + (r() - 0.5) * 0.1, lng: LNG + (r() - 0.5) * 0.16 }
        if (i % 4 === 2) return { lat: LAT + (r() - 0.5) * 1.2, lng: LNG + (r() - 0.5) * 2 }
        return i % 8 === 3 ? null : { lat: -60 + r() * 130, lng: -180 + r() * 360 }
      },
    })
    open = (await s.ctx.store.db
      .selectFrom('tasks')
      .selectAll()
      .where('status', '=', 'PENDING')
      .where('task_type', 'in', ['PHOTO', 'DELIVERY'])
      .where('location_lat', 'is not', null)
      .execute()) as TaskRow[]
  })

  /** The open tasks within `radius` of the point, nearest first, ties by id descending. */
  const bruteForce = (lat: number, lng: number, radius: number) =>
    open
      .map((t) => ({ id: t.id, d: haversineKm(lat, lng, t.location_lat!, t.location_lng!) }))
      .filter((m) => m.d <= radius)
      .sort((a, b) => (a.d !== b.d ? a.d - b.d : a.id < b.id ? 1 : -1))

  /** The open tasks in the bounding box of the circle. */
  const boxCount = (lat: number, lng: number, radius: number) => {
    const b = boxAround(lat, lng, radius)
    return open.filter(
      (t) =>
        t.location_lat! >= b.minLat &&
        t.location_lat! <= b.maxLat &&
        t.location_lng! >= b.minLng &&
        t.location_lng! <= b.maxLng,
    ).length
  }

  test('every page by distance equals the brute-force order, through ties and page boundaries', async () => {
    const want = bruteForce(LAT, LNG, 25)
    assert.ok(want.length > 1000, `a dense centre: ${want.length} tasks within 25 km`)
    const ties = want.filter((m, i) => i > 0 && m.d === want[i - 1]!.d).length
    assert.ok(ties > 500, `runs of equal distances: ${ties}`)
    for (const limit of [13, 100]) {
      const got = await walk(op.api, `/operator/tasks?near=${LAT},${LNG}`, limit)
      assert.deepEqual(
        got.byCursor,
        want.map((m) => m.id),
        `by cursor, ${limit} a page`,
      )
      assert.deepEqual(
        got.byOffset,
        want.map((m) => m.id),
        `by offset, ${limit} a page`,
      )
    }
  })

  test("a page holds each task's exact distance, and its total says how far it holds", async () => {
    const want = bruteForce(LAT, LNG, 25)
    const r = await op.api.get<{
      data: { task_id: string; distance_km: number }[]
      pagination: Page['pagination']
    }>(`/operator/tasks?near=${LAT},${LNG}&limit=20&offset=700`)
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(
      r.body.data.map((t) => [t.task_id, t.distance_km]),
      want.slice(700, 720).map((m) => [m.id, Math.round(m.d * 100) / 100]),
    )
    // By distance, every page counts the circle's bounding box: an upper bound, labelled so.
    const inBox = boxCount(LAT, LNG, 25)
    assert.deepEqual([r.body.pagination.total, r.body.pagination.total_exact], [inBox, false])
    assert.ok(inBox > want.length)
    const tail = await op.api.get<Page>(
      `/operator/tasks?near=${LAT},${LNG}&limit=20&offset=${want.length - 10}`,
    )
    assert.deepEqual(
      [tail.body.data.length, tail.body.pagination.total, tail.body.pagination.total_exact],
      [10, inBox, false],
    )
  })

  test('a sparse point reads up to the radius; other sorts read the whole circle and count it exactly', async () => {
    const [lat, lng] = [LAT + 0.5, LNG + 0.8]
    const want = bruteForce(lat, lng, 10)
    assert.ok(want.length > 0 && want.length < 100, `a sparse point: ${want.length}`)
    const got = await walk(op.api, `/operator/tasks?near=${lat},${lng}&radius_km=10`, 7)
    assert.deepEqual(
      got.byCursor,
      want.map((m) => m.id),
    )
    assert.equal(got.total, boxCount(lat, lng, 10))
    const byReward = await walk(op.api, `/operator/tasks?near=${LAT},${LNG}&radius_km=5&sort=reward`, 40)
    const near5 = bruteForce(LAT, LNG, 5)
    assert.equal(byReward.total, near5.length)
    assert.deepEqual([...byReward.byCursor].sort(), near5.map((m) => m.id).sort())
  })

  test('a cursor this list did not hand out is a 400 naming the cursor', async () => {
    const bad = Buffer.from(JSON.stringify(['0', 'NaN', 'task_x'])).toString('base64url')
    const r = await op.api.get(`/operator/tasks?near=${LAT},${LNG}&cursor=${bad}`)
    assert.equal(r.status, 400, r.text)
    assert.match(r.text, /cursor/)
  })
})
