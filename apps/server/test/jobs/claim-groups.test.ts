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
import { claimDueJobs, claimStatement } from '../../src/worker/claim.ts'
import { Lane, reserveOf } from '../../src/worker/lane.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { planText } from '../helpers/plan-text.ts'

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
    // Its share (2), then what nobody else wants but the lane's last quarter (16 − 2 − 4).
    assert.equal(filled.started, 12)
    assert.ok(lane.running.size <= 12, 'on PostgreSQL some may have finished already')
    await Promise.all(lane.running.values())
    const after = await versions()
    const touched = [...after].filter(([id, r]) => {
      const b = before.get(id)!
      return r.status !== 'queued' || Number(r.attempts) !== 0 || (dialect === 'postgres' && r.v !== b.v)
    })
    assert.equal(touched.length, 12, `rows written: ${touched.map(([id]) => id).join(', ')}`)
    assert.ok(touched.every(([, r]) => r.status === 'done'))
  })
  test('one agent borrows the slots nobody else wants but never the last quarter; another agent takes one of those at once', async () => {
    const s = server()
    await clear()
    await queue('a', 40)
    const lane = new Lane(s.ctx, 'w_borrow', {
      name: 'deliveries',
      kinds: ['webhooks.deliver'],
      slots: 16,
      perGroup: 2,
    })
    assert.equal(reserveOf(16), 4)
    const first = await lane.fill()
    assert.equal(first.started, 12, 'a: its share of 2 and 10 borrowed')
    const runningOf = async (agent: string) =>
      (
        await s.ctx.store.db
          .selectFrom('jobs')
          .select('id')
          .where('group_key', '=', `agent:${agent}`)
          .where('status', 'in', ['running', 'done'])
          .execute()
      ).length
    // b's job is the newest due, behind 28 of a's: its share puts it first.
    await queue('b', 1, 60_000 - 1)
    const second = await lane.fill()
    assert.ok(second.started >= 1, 'the second claim started b')
    assert.equal(await runningOf('b'), 1, 'b got a slot')
    await Promise.all(lane.running.values())
    // Run everything left: a's rest, 12 at a time at most.
    while ((await lane.fill()).started > 0) {
      assert.ok(lane.running.size <= 12 + 1)
      await Promise.all(lane.running.values())
    }
    assert.equal(await runningOf('a'), 40)
  })

  test('a claim reads the due jobs of its kinds through jobs_due_by_kind, never the finished ones', async () => {
    const s = server()
    const db = s.ctx.store.db
    const filters = {
      plain: { kinds: ['webhooks.deliver' as const] },
      'several kinds': { kinds: ['webhooks.fan_out' as const, 'task.deadline' as const] },
      'within shares, a group at its cap': {
        kinds: ['webhooks.deliver' as const],
        groups: {
          perGroup: 2,
          running: new Map([
            ['agent:a', 2],
            ['agent:b', 1],
          ]),
        },
      },
    }
    for (const [name, filter] of Object.entries(filters)) {
      const text = await planText(db, dialect, claimStatement(s.ctx, 'w_plan', 4, filter).compile())
      if (dialect === 'sqlite') {
        // Before: the kind's whole history through jobs_kind_status (kind=?), sorted, and the
        // re-check walked every due job (MULTI-INDEX OR).
        assert.match(
          text,
          /INDEX jobs_due_by_kind \(status=\? AND kind=\? AND run_at<\?\)/,
          `${name}: ${text}`,
        )
        assert.doesNotMatch(text, /jobs_kind_status|MULTI-INDEX OR|(^|\| )SCAN jobs/, `${name}: ${text}`)
      } else {
        assert.doesNotMatch(text, /Seq Scan on jobs/, `${name}: ${text}`)
        assert.match(text, /jobs_due_by_kind/, `${name}: ${text}`)
      }
    }
  })
})
