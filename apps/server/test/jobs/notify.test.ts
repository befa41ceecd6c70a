import assert from 'node:assert/strict'
import { test } from 'node:test'
import { enqueueJob } from '../../src/jobs/enqueue.ts'
import { withTx } from '../../src/store/tx.ts'
import { startWorker } from '../../src/worker/runner.ts'
import { forEachDialect, startTestServer } from '../helpers/harness.ts'

forEachDialect('job wake-up', (dialect) => {
  test('a job due now wakes its lane long before the next poll (PostgreSQL: NOTIFY at commit; SQLite: in-process); a worker limited to some kinds runs only those', {
    timeout: 60_000,
  }, async (t) => {
    const s = await startTestServer(dialect, { jobPollMs: 60_000 })
    t.after(() => s.close())
    const stop = startWorker(s.ctx, { kinds: ['email.send', 'estimate.expire'] })
    t.after(stop)
    await new Promise((r) => setTimeout(r, 500)) // the first claim round and LISTEN are done
    const now = s.clock.now()
    const queued = Date.now()
    await withTx(s.ctx.store, async (tx) => {
      await enqueueJob(tx, {
        kind: 'estimate.expire',
        payload: { taskId: 'task_none', version: '1' },
        runAt: now,
        now,
      })
      await enqueueJob(tx, { kind: 'task.deadline', payload: { taskId: 'task_none' }, runAt: now, now })
    })
    const db = s.ctx.store.db
    const status = async (kind: string) =>
      (await db.selectFrom('jobs').select('status').where('kind', '=', kind).executeTakeFirstOrThrow()).status
    while ((await status('estimate.expire')) !== 'done') {
      assert.ok(Date.now() - queued < 5_000, 'the job did not run within 5 s: nothing woke the worker')
      await new Promise((r) => setTimeout(r, 10))
    }
    const ms = Date.now() - queued
    t.diagnostic(`woken and done in ${ms} ms (poll interval 60 s)`)
    assert.equal(await status('task.deadline'), 'queued', 'task.deadline is not among this worker’s kinds')
  })
})
