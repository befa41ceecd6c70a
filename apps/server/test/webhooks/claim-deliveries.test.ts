// The deliveries lane claims webhook attempts straight from `webhook_deliveries` (ADR 0027): no job
// row per attempt. A claim takes per agent only the room its share has: it used to claim as many
// due attempts as it had free slots, start the few the cap allowed and give the rest back, each
// given back a second write of its row. These tests use made-up deliveries to an endpoint that does
// not exist: an attempt gives such a delivery up without sending anything.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { addMs, iso } from '../../src/clock.ts'
import { newId } from '../../src/domain/ids.ts'
import { createStore } from '../../src/store/db.ts'
import { claimDeliveries, claimDeliveriesStatement, deliveryWork } from '../../src/webhooks/deliver.ts'
import { Lane, reserveOf } from '../../src/worker/lane.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { planText } from '../helpers/plan-text.ts'

forEachDialect('claiming webhook attempts', (dialect) => {
  const server = useServer(dialect)

  /**
   * `n` pending deliveries of `agent`, due from a minute ago (+ `offsetMs`), each its own line
   * (no task) unless `task` is given, when they are one line with only the first ready.
   */
  const queue = async (
    agent: string,
    n: number,
    offsetMs = 0,
    opts: { task?: string; dueInMs?: number } = {},
  ) => {
    const s = server()
    const now = s.clock.now()
    const rows = Array.from({ length: n }, (_, i) => ({
      id: `whd_${agent}_${offsetMs}_${String(i).padStart(4, '0')}`,
      event_id: newId('evt'),
      event_type: 'task.status_changed',
      event_seq: BigInt(offsetMs * 1000 + i + 1),
      agent_id: agent,
      task_id: opts.task ?? null,
      target: 'whe_missing',
      payload: '{}',
      event_at: iso(now),
      status: 'pending',
      attempts: 0n,
      next_attempt_at: iso(addMs(now, opts.dueInMs ?? -60_000 + offsetMs + i)),
      retry_until: iso(addMs(now, 86_400_000)),
      ready: opts.task && i > 0 ? 0n : 1n,
      created_at: iso(now),
    }))
    for (let i = 0; i < rows.length; i += 200) {
      await s.ctx.store.db
        .insertInto('webhook_deliveries')
        .values(rows.slice(i, i + 200))
        .execute()
    }
  }
  const clear = () => server().ctx.store.db.deleteFrom('webhook_deliveries').execute()
  const lane = () =>
    new Lane(server().ctx, { name: 'deliveries', slots: 16, perGroup: 2 }, deliveryWork(server().ctx))

  test('takes per agent only the room it has, earliest first, and nothing of an agent at its share', async () => {
    const s = server()
    await clear()
    await queue('a', 10)
    await queue('b', 3, 100)
    const claimed = await claimDeliveries(s.ctx, 10, { perGroup: 2, running: new Map([['a', 1]]) })
    const byAgent = (g: string) =>
      claimed
        .filter((c) => c.delivery.agent_id === g)
        .map((c) => c.delivery.id)
        .sort()
    assert.deepEqual(byAgent('a'), ['whd_a_0_0000'])
    assert.deepEqual(byAgent('b'), ['whd_b_100_0000', 'whd_b_100_0001'])
    assert.equal(claimed.length, 3)
    assert.ok(
      claimed.every((c) => 'undeliverable' in c.send),
      'the endpoint does not exist',
    )

    // a at its share: only b's last one is left to take (the claimed ones are locked).
    const next = await claimDeliveries(s.ctx, 10, { perGroup: 2, running: new Map([['a', 2]]) })
    assert.deepEqual(
      next.map((c) => c.delivery.id),
      ['whd_b_100_0002'],
    )
    // Nothing claimed was given back: the rest are unlocked, never attempted.
    const rest = await s.ctx.store.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'attempts'])
      .where('locked_until', 'is', null)
      .execute()
    assert.equal(rest.length, 9)
  })

  test('a lane with one busy agent writes only the deliveries it starts', async () => {
    const s = server()
    await clear()
    await queue('a', 40)
    const l = lane()
    // Each row version's transaction id (PostgreSQL) or the lock and status (both).
    const versions = async () => {
      const rows = await s.ctx.store.db
        .selectFrom('webhook_deliveries')
        .select(['id', 'status', 'locked_until'])
        .$if(dialect === 'postgres', (q) => q.select(sql<string>`xmin::text`.as('v')))
        .orderBy('id')
        .execute()
      return new Map(rows.map((r) => [r.id, r as typeof r & { v?: string }]))
    }
    const before = await versions()
    const filled = await l.fill()
    // Its share (2), then what nobody else wants but the lane's last quarter (16 − 2 − 4).
    assert.equal(filled.started, 12)
    await Promise.all(l.running.values())
    const after = await versions()
    const touched = [...after].filter(([id, r]) => {
      const b = before.get(id)!
      return r.status !== 'pending' || r.locked_until !== null || (dialect === 'postgres' && r.v !== b.v)
    })
    assert.equal(touched.length, 12, `rows written: ${touched.map(([id]) => id).join(', ')}`)
    assert.ok(
      touched.every(([, r]) => r.status === 'failed'),
      'given up: the endpoint does not exist',
    )
  })

  test('one agent borrows the slots nobody else wants but never the last quarter; another agent takes one of those at once', async () => {
    const s = server()
    await clear()
    await queue('a', 40)
    const l = lane()
    assert.equal(reserveOf(16), 4)
    const first = await l.fill()
    assert.equal(first.started, 12, 'a: its share of 2 and 10 borrowed')
    const attemptedOf = async (agent: string) =>
      (
        await s.ctx.store.db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('agent_id', '=', agent)
          .where((eb) => eb.or([eb('locked_until', 'is not', null), eb('status', '!=', 'pending')]))
          .execute()
      ).length
    // b's delivery is the newest due, behind 28 of a's: its share puts it first.
    await queue('b', 1, 60_000 - 1)
    const second = await l.fill()
    assert.ok(second.started >= 1, 'the second claim started b')
    assert.equal(await attemptedOf('b'), 1, 'b got a slot')
    await Promise.all(l.running.values())
    // Run everything left: a's rest, 12 at a time at most.
    while ((await l.fill()).started > 0) {
      assert.ok(l.running.size <= 12 + 1)
      await Promise.all(l.running.values())
    }
    assert.equal(await attemptedOf('a'), 40)
  })

  test('a line behind a head that retries later is not claimable, and the claim reads only ready deliveries', async () => {
    const s = server()
    await clear()
    // One task's 300 events for one target: the head retries in an hour, the rest wait behind it.
    await queue('a', 300, 0, { task: 'task_line', dueInMs: 0 })
    await s.ctx.store.db
      .updateTable('webhook_deliveries')
      .set({ next_attempt_at: iso(addMs(s.clock.now(), 3_600_000)) })
      .where('id', '=', 'whd_a_0_0000')
      .execute()
    await queue('b', 1, 500)
    const claimed = await claimDeliveries(s.ctx, 16)
    assert.deepEqual(
      claimed.map((c) => c.delivery.id),
      ['whd_b_500_0000'],
    )
    const db = s.ctx.store.db
    const shares = {
      perGroup: 2,
      running: new Map([
        ['a', 2],
        ['b', 1],
      ]),
    }
    for (const [name, q] of Object.entries({
      plain: claimDeliveriesStatement(s.ctx, 4),
      'within shares, an agent at its share': claimDeliveriesStatement(s.ctx, 4, shares),
    })) {
      const text = await planText(db, dialect, q.compile())
      if (dialect === 'sqlite') {
        assert.match(text, /INDEX webhook_deliveries_ready \(next_attempt_at<\?\)/, `${name}: ${text}`)
        assert.doesNotMatch(text, /(^|\| )SCAN (webhook_deliveries|d)( |$)/, `${name}: ${text}`)
      } else {
        assert.doesNotMatch(text, /Seq Scan on webhook_deliveries/, `${name}: ${text}`)
        assert.match(text, /webhook_deliveries_ready/, `${name}: ${text}`)
      }
    }
  })

  test('claims from several connections at once never take one delivery twice', async () => {
    const s = server()
    await clear()
    await queue('a', 30)
    await queue('b', 30, 100)
    // PostgreSQL: separate pools, as separate processes have; SQLite: one writer, interleaved.
    const others =
      dialect === 'postgres'
        ? [1, 2, 3].map(() =>
            createStore({ databaseUrl: s.db.databaseUrl, databaseSchema: s.db.databaseSchema }),
          )
        : []
    try {
      const ctxs = [s.ctx, ...others.map((store) => ({ ...s.ctx, store }))]
      const rounds = await Promise.all(
        ctxs.flatMap((ctx) => [claimDeliveries(ctx, 8), claimDeliveries(ctx, 8)]),
      )
      const ids = rounds.flat().map((c) => c.delivery.id)
      assert.equal(new Set(ids).size, ids.length, `claimed twice: ${ids.length - new Set(ids).size}`)
      assert.ok(ids.length >= 8)
    } finally {
      for (const o of others) await o.close()
    }
  })
})
