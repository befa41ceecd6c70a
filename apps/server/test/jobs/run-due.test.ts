// `runDueJobs` (what tests and `humcli admin run-jobs` call) promises to run every job due now,
// the follow-ups its jobs queue included. A job that finished while a later lane was still
// claiming used to be missed: the loop saw nothing running and nothing started, and returned
// with that job's follow-up still queued (one in four runs of the callback test on a busy
// PostgreSQL). Each round here sets that up: the second callback's first job returns at once
// (it waits for the first), and the first callback's job queues the second as it finishes.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { driveTo, newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'

const ROUNDS = 25

forEachDialect('runDueJobs', (dialect) => {
  const server = useServer(dialect)

  test(`leaves no due job behind: ${ROUNDS} rounds of two ordered callbacks`, async (t) => {
    const s = server()
    const rx = await startReceiver()
    t.after(() => rx.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 1000 })
    for (let round = 1; round <= ROUNDS; round++) {
      const created = await agent.api.post('/tasks', { ...taskBody(s), callback_url: `${rx.url}/r${round}` })
      assert.equal(created.status, 201, created.text)
      await driveTo(s, agent, await newOperator(s), created.body.task_id as string, 'ACCEPTED')
      // The harness's runJobs also fails when a due job is left queued.
      await s.runJobs()
      assert.equal(rx.received.filter((r) => r.path === `/r${round}`).length, 2, `round ${round}`)
    }
  })
})
