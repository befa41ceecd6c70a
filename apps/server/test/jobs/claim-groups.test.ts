// A lane claims only what each group (an agent's webhook attempts) has room for. It used to claim
// as many due jobs as it had free slots, start the few its cap allowed and give the rest back:
// with one busy agent, every finished attempt cost a claim of 15 rows and a release of 14, each
// a second write of a job row (on PostgreSQL, 29 new row versions per delivery).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { addMs } from '../../src/clock.ts'
import { enqueueJob } from '../../src/jobs/enqueue.ts'
import { withTx } from '../../src/store/tx.ts'
import { claimDueJobs } from '../../src/worker/claim.ts'
import { Lane } from '../../src/worker/lane.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

forEachDialect('claiming within group caps', (dialect) => {
  const server = useServer(dialect)

  /** Queues `n` delivery attempts of `agent` (made-up deliveries: the handler finds none and returns). */
  const queue = async (agent: string, n: number, offsetMs = 0) => {
    const s = server()
    const now = s.clock.now()
    await withTx(s.ctx.store, async (tx) => {
      for (let i = 0; i < n; i++) {
        await enqueueJob(tx, {
          kind: 'webhooks.deliver',
          payload: { deliveryId: `whd_${agent}_${offsetMs}_${i}`, agentId: agent },
          runAt: addMs(now, -60_000 + offsetMs + i),
          now,
        })
      }
    })
  }
  const clear = () => server().ctx.store.db.deleteFrom('jobs').execute()

  test('takes per group only the room it has, earliest first, and nothing of a group at its cap', async () => {
    const s = server()
    await clear()
    await queue('a', 10)
    await queue('b', 3, 100)
    const running = new Map([['agent:a', 1]])
    const claimed = await claimDueJobs(s.ctx, 'w_test', 10, {
      kinds: ['webhooks.deliver'],
      groups: { perGroup: 2, running },
    })
    const byGroup = (g: string) =>
      claimed
        .filter((j) => j.group_key === g)
        .map((j) => (JSON.parse(j.payload) as { deliveryId: string }).deliveryId)
    assert.deepEqual(byGroup('agent:a'), ['whd_a_0_0'])
    assert.deepEqual(byGroup('agent:b').sort(), ['whd_b_100_0', 'whd_b_100_1'])
    assert.equal(claimed.length, 3)

    // a at its cap: only b's last one is left to take.
    const next = await claimDueJobs(s.ctx, 'w_test', 10, {
      kinds: ['webhooks.deliver'],
      groups: { perGroup: 2, running: new Map([['agent:a', 2]]) },
    })
    assert.deepEqual(
      next.map((j) => j.group_key),
      ['agent:b'],
    )
    // Nothing claimed was given back: the rest are queued, their attempts never counted.
    const rest = await s.ctx.store.db
      .selectFrom('jobs')
      .select(['status', 'attempts'])
      .where('status', '=', 'queued')
      .execute()
    assert.equal(rest.length, 9)
    assert.ok(rest.every((r) => Number(r.attempts) === 0))
  })

  test('a lane with one busy agent writes only the jobs it starts', async () => {
    const s = server()
    await clear()
    await queue('a', 40)
    const lane = new Lane(s.ctx, 'w_lane', {
      name: 'deliveries',
      kinds: ['webhooks.deliver'],
      slots: 16,
      perGroup: 2,
    })
    // Each row version's transaction id (PostgreSQL) or the attempts counter (both): a job claimed
    // and given back keeps attempts 0 but gets a new row version.
    const versions = async () => {
      const rows = await s.ctx.store.db
        .selectFrom('jobs')
        .select(['id', 'status', 'attempts'])
        .$if(dialect === 'postgres', (q) => q.select(sql<string>`xmin::text`.as('v')))
        .orderBy('id')
        .execute()
      return new Map(rows.map((r) => [String(r.id), r as typeof r & { v?: string }]))
    }
    const before = await versions()
    const filled = await lane.fill()
    assert.equal(filled.started, 2)
    assert.equal(lane.running.size, 2)
    await Promise.all(lane.running.values())
    const after = await versions()
    const touched = [...after].filter(([id, r]) => {
      const b = before.get(id)!
      return r.status !== 'queued' || Number(r.attempts) !== 0 || (dialect === 'postgres' && r.v !== b.v)
    })
    assert.equal(touched.length, 2, `rows written: ${touched.map(([id]) => id).join(', ')}`)
    assert.ok(touched.every(([, r]) => r.status === 'done'))
  })
})
