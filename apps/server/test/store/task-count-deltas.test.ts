// Issue 17: every status change of one agent's tasks updated that agent's `task_counts` rows, so on
// PostgreSQL each waited for the one before it to commit (22 ms of lock wait per transition in
// `bench:webhooks`, one agent). A PostgreSQL status change now adds deltas (migration 0030), which
// lock nothing; workers fold them into the rows. Counts stay exact throughout.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { taskCountProblems } from '../../src/ledger/task-count-check.ts'
import { createStore } from '../../src/store/db.ts'
import { withTx } from '../../src/store/tx.ts'
import { loadAnyTask } from '../../src/tasks/load.ts'
import { countedTasks, foldTaskCountDeltas } from '../../src/tasks/task-counts.ts'
import { transitionTask } from '../../src/tasks/transition.ts'
import { newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

forEachDialect('task counters under status changes', (dialect) => {
  const server = useServer(dialect)

  test('a status change does not wait for another of the same agent to commit', async (t) => {
    if (dialect !== 'postgres')
      return t.skip('SQLite has one writer: every transaction waits for the one before')
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const ids: string[] = []
    for (let i = 0; i < 2; i++) ids.push((await agent.api.post('/tasks', taskBody(s))).body.task_id as string)
    let release: () => void = () => {}
    const held = new Promise<void>((r) => {
      release = r
    })
    let cancelled = 0
    // The first cancel stays uncommitted while the second runs.
    const first = withTx(s.ctx.store, async (tx) => {
      const task = await loadAnyTask(tx, ids[0]!)
      await transitionTask(s.ctx, tx, {
        task,
        to: 'CANCELLED',
        actor: `agent:${agent.id}`,
        now: s.clock.now(),
      })
      await held
    })
    try {
      const second = agent.api.post(`/tasks/${ids[1]}/cancel`).then((r) => {
        assert.equal(r.status, 200, r.text)
        cancelled++
      })
      const within = await Promise.race([
        second.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 3_000)),
      ])
      // Before migration 0030 the second waited on the agent's PENDING counter until the first
      // committed: here, for ever.
      assert.ok(within, 'the second cancel finished while the first was still open')
      assert.equal(cancelled, 1)
    } finally {
      release()
      await first
    }
    assert.equal(await countedTasks(s.ctx.store.db, [agent.id], { status: 'CANCELLED' }), 2)
    assert.equal(await countedTasks(s.ctx.store.db, [agent.id], { status: 'PENDING' }), 0)
  })

  test('counts are exact before, during and after folds from several pools at once', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 1000 })
    // Five accepted tasks at most per operator (the active-task cap).
    const ops = [await newOperator(s), await newOperator(s), await newOperator(s), await newOperator(s)]
    const ids: string[] = []
    for (let i = 0; i < 30; i++)
      ids.push((await agent.api.post('/tasks', taskBody(s))).body.task_id as string)
    const db = s.ctx.store.db
    const counts = async () => ({
      pending: await countedTasks(db, [agent.id], { status: 'PENDING' }),
      estimate: await countedTasks(db, [agent.id], { status: 'ESTIMATE_PENDING' }),
      cancelled: await countedTasks(db, [agent.id], { status: 'CANCELLED' }),
    })
    assert.deepEqual(await counts(), { pending: 30, estimate: 0, cancelled: 0 })
    // 20 accepts and 10 cancels at once.
    const replies = await Promise.all([
      ...ids
        .slice(0, 20)
        .map((id, i) => ops[i % 4]!.api.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 })),
      ...ids.slice(20).map((id) => agent.api.post(`/tasks/${id}/cancel`)),
    ])
    for (const r of replies) assert.equal(r.status, 200, r.text)
    const want = { pending: 0, estimate: 20, cancelled: 10 }
    assert.deepEqual(await counts(), want)
    const deltas = async () =>
      Number(
        (
          await db
            .selectFrom('task_count_deltas')
            .select(sql<bigint>`count(*)`.as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    if (dialect === 'postgres') assert.ok((await deltas()) >= 30, 'the status changes wrote deltas')
    else assert.equal(await deltas(), 0, 'SQLite updates the counter rows')
    assert.deepEqual(await taskCountProblems(db), [])

    // Folds from three pools while the agent rejects estimates: nothing counted twice or lost.
    const others =
      dialect === 'postgres'
        ? [1, 2].map(() =>
            createStore({ databaseUrl: s.db.databaseUrl, databaseSchema: s.db.databaseSchema }),
          )
        : []
    try {
      const [, ...folded] = await Promise.all([
        Promise.all(
          ids.slice(0, 10).map((id) => agent.api.post(`/tasks/${id}/estimate/reject`, { reason: 'no' })),
        ),
        foldTaskCountDeltas(db),
        ...others.map((o) => foldTaskCountDeltas(o.db)),
      ])
      assert.ok(folded.every((n) => n >= 0))
      await foldTaskCountDeltas(db)
    } finally {
      for (const o of others) await o.close()
    }
    assert.equal(await deltas(), 0, 'every delta folded')
    assert.deepEqual(await counts(), { pending: 10, estimate: 10, cancelled: 10 })
    assert.deepEqual(await taskCountProblems(db), [])
  })
})
