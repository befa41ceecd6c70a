/**
 * The Guardian job through the real API: decisions applied as the lifecycle says, the reasons
 * shown to the operator, `task.guardian_reviewed` recorded with the decision, idempotent runs,
 * configurable thresholds, sandbox auto-approval with the checks shown for information.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { JOB_HANDLERS } from '../../src/worker/handlers.ts'
import { createTask, driveTo, newAgent, newOperator, proofForm } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { genuinePhotos, makePhoto } from '../helpers/images.ts'

async function setup(s: TestServer) {
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
  const op = await newOperator(s)
  const id = await createTask(s, agent)
  await driveTo(s, agent, op, id, 'IN_PROGRESS')
  s.clock.advance(10 * 60_000)
  return { agent, op, id }
}

const events = (s: TestServer, taskId: string) =>
  s.ctx.store.db
    .selectFrom('outbox')
    .select(['type', 'payload'])
    .where('task_id', '=', taskId)
    .where('type', '=', 'task.guardian_reviewed')
    .orderBy('seq')
    .execute()

forEachDialect('Guardian review job', (dialect) => {
  const server = useServer(dialect)

  test('genuine proof: VERIFIED → COMPLETED, guardian_result on the task, event recorded once', async () => {
    const s = server()
    const { agent, op, id } = await setup(s)
    const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, {
      form: proofForm(await genuinePhotos(s.clock.now(), 1)),
    })
    assert.equal(r.status, 200, r.text)
    assert.equal((await agent.api.get(`/tasks/${id}`)).body.guardian_result, null, 'not reviewed yet')
    await s.runJobs()
    const task = (await agent.api.get(`/tasks/${id}`)).body
    assert.equal(task.status, 'COMPLETED')
    const g = task.guardian_result
    assert.equal(g.decision, 'VERIFIED')
    assert.equal(g.confidence, 100)
    assert.match(g.reasoning, /^Verified with confidence 100\. All 6 checks passed\.$/)
    assert.deepEqual(
      g.checks.map((c: { name: string }) => c.name),
      ['photo_count', 'photo_quality', 'photo_reuse', 'capture_time', 'location', 'notes'],
    )
    for (const c of g.checks) {
      assert.equal(c.score, 100, `${c.name}: ${c.reason}`)
      assert.equal(typeof c.reason, 'string')
    }
    const ev = await events(s, id)
    assert.equal(ev.length, 1)
    assert.deepEqual(
      { ...JSON.parse(ev[0]!.payload), timestamp: undefined },
      {
        event: 'task.guardian_reviewed',
        task_id: id,
        decision: 'VERIFIED',
        confidence: 100,
        status: 'COMPLETED',
        attempt: 1,
        timestamp: undefined,
      },
    )
    // A second run of the same job changes nothing (the task has moved on).
    const version = task.transitions.length
    const job = await s.ctx.store.db
      .selectFrom('jobs')
      .select(['payload', 'status'])
      .where('kind', '=', 'guardian.review')
      .where('payload', 'like', `%${id}%`)
      .executeTakeFirstOrThrow()
    assert.equal(job.status, 'done')
    await JOB_HANDLERS['guardian.review'](s.ctx, JSON.parse(job.payload))
    const again = (await agent.api.get(`/tasks/${id}`)).body
    assert.equal(again.transitions.length, version)
    assert.equal((await events(s, id)).length, 1)
  })

  test('weak proof goes back to the operator with the reasons, twice; the third weak proof goes to people', async () => {
    const s = server()
    const { agent, op, id } = await setup(s)
    const blurred = async (seed: number) => [
      await makePhoto({
        seed,
        blur: 8,
        takenAt: s.clock.now(),
        offset: '+02:00',
        gps: { lat: 52.52, lng: 13.405 },
      }),
      ...(await genuinePhotos(s.clock.now(), seed + 1)).slice(1),
    ]
    for (const attempt of [1, 2]) {
      const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, {
        form: proofForm(await blurred(attempt * 10)),
      })
      assert.equal(r.status, 200, r.text)
      await s.runJobs()
      const mine = (await op.api.get('/operator/tasks/mine')).body.data.find(
        (t: { task_id: string }) => t.task_id === id,
      )
      assert.equal(mine.status, 'IN_PROGRESS', `attempt ${attempt} goes back to the operator`)
      assert.equal(mine.submit_attempts, attempt)
      assert.equal(mine.guardian_result.decision, 'RESUBMIT')
      assert.match(mine.guardian_result.reasoning, /photo 1 is blurred/)
      const quality = mine.guardian_result.checks.find((c: { name: string }) => c.name === 'photo_quality')
      assert.equal(quality.score, 15)
      const one = (await op.api.get(`/operator/tasks/${id}`)).body
      assert.deepEqual(
        one.guardian_result,
        mine.guardian_result,
        'the single-task view shows the same reasons',
      )
      const last = (await agent.api.get(`/tasks/${id}`)).body.transitions.at(-1)
      assert.deepEqual([last.from, last.to, last.actor], ['SUBMITTED', 'IN_PROGRESS', 'system:guardian'])
      assert.match(last.reason, /blurred/)
    }
    const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, {
      form: proofForm(await blurred(30)),
    })
    assert.equal(r.status, 200, r.text)
    await s.runJobs()
    const task = (await agent.api.get(`/tasks/${id}`)).body
    assert.equal(task.status, 'MANUAL_REVIEW')
    assert.equal(
      task.guardian_result.decision,
      'RESUBMIT',
      'the review said RESUBMIT; the third attempt goes to people',
    )
    const ev = await events(s, id)
    assert.deepEqual(
      ev.map((e) => JSON.parse(e.payload).status),
      ['IN_PROGRESS', 'IN_PROGRESS', 'MANUAL_REVIEW'],
    )
  })

  test('another operator reusing a photo of a completed task: MANUAL_REVIEW, never approved', async () => {
    const s = server()
    const first = await setup(s)
    const photos = await genuinePhotos(s.clock.now(), 77)
    await first.op.api.post(`/operator/tasks/${first.id}/proof`, undefined, { form: proofForm(photos) })
    await s.runJobs()
    assert.equal((await first.agent.api.get(`/tasks/${first.id}`)).body.status, 'COMPLETED')

    const second = await setup(s)
    // The very same bytes, in a fresh task whose time window they do not even fit: the reuse
    // decides (MANUAL_REVIEW), not the stale time (which alone would send it back).
    const r = await second.op.api.post(`/operator/tasks/${second.id}/proof`, undefined, {
      form: proofForm(photos),
    })
    assert.equal(r.status, 200, r.text)
    await s.runJobs()
    const task = (await second.agent.api.get(`/tasks/${second.id}`)).body
    assert.equal(task.status, 'MANUAL_REVIEW')
    const reuse = task.guardian_result.checks.find((c: { name: string }) => c.name === 'photo_reuse')
    assert.equal(reuse.score, 0)
    assert.match(reuse.reason, /photo 1, photo 2 is perceptually identical/)
    assert.match(task.guardian_result.reasoning, /Possible fraud/)
    assert.doesNotMatch(
      JSON.stringify(task.guardian_result),
      new RegExp(first.id),
      'the other task is not named',
    )
  })
})

forEachDialect('Guardian thresholds are configurable', (dialect) => {
  const server = useServer(dialect, { guardianVerifyAt: 60, guardianManualAt: 40 })

  test('proof without EXIF (confidence 60) is VERIFIED when HUMCLI_GUARDIAN_VERIFY_AT=60', async () => {
    const s = server()
    const { agent, op, id } = await setup(s)
    const photos = [await makePhoto({ seed: 5, noExif: true }), await makePhoto({ seed: 6, noExif: true })]
    await op.api.post(`/operator/tasks/${id}/proof`, undefined, { form: proofForm(photos) })
    await s.runJobs()
    const task = (await agent.api.get(`/tasks/${id}`)).body
    assert.deepEqual(
      [task.guardian_result.decision, task.guardian_result.confidence, task.status],
      ['VERIFIED', 60, 'COMPLETED'],
    )
  })
})

forEachDialect('Guardian on sandbox tasks', (dialect) => {
  const server = useServer(dialect)

  test('sandbox proof is auto-approved with reasoning saying so, the checks shown for information', async () => {
    const s = server()
    const agent = await newAgent(s) // SANDBOX
    const op = await newOperator(s)
    const id = await createTask(s, agent, { reward_usd: 5 })
    // Assigns and starts the task directly (what the sandbox simulator does through its jobs), to review it at once.
    const now = s.clock.now().toISOString()
    await s.ctx.store.db
      .updateTable('tasks')
      .set({ operator_id: op.id, status: 'IN_PROGRESS', accepted_at: now, started_at: now })
      .where('id', '=', id)
      .execute()
    s.clock.advance(60_000)
    // A poor proof on purpose: one blank photo.
    const form = proofForm([await makePhoto({ seed: 1, blur: 20, noExif: true })])
    const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, { form })
    assert.equal(r.status, 200, r.text)
    await s.runJobs()
    const task = (await agent.api.get(`/tasks/${id}`)).body
    assert.equal(task.status, 'COMPLETED')
    assert.equal(task.guardian_result.decision, 'VERIFIED')
    assert.match(
      task.guardian_result.reasoning,
      /^Sandbox task: auto-approved with synthetic proof; no money moved\. For information, the rules scored it \d+ \(RESUBMIT\)/,
    )
    const names = task.guardian_result.checks.map((c: { name: string }) => c.name)
    assert.deepEqual(names, [
      'photo_count',
      'photo_quality',
      'photo_reuse',
      'capture_time',
      'location',
      'notes',
    ])
    assert.ok(task.guardian_result.checks.some((c: { score: number }) => c.score < 50))
  })
})

forEachDialect('Guardian and proof schemas in the OpenAPI document', (dialect) => {
  const server = useServer(dialect)

  test('GuardianResult, TaskProof and ProofPhotoDetails are named components', async () => {
    const doc = await (await fetch(`${server().url}/api/v1/openapi.json`)).json()
    const schemas = doc.components.schemas
    assert.deepEqual(Object.keys(schemas.GuardianResult.properties), [
      'decision',
      'confidence',
      'reasoning',
      'checks',
    ])
    assert.deepEqual(schemas.GuardianResult.properties.decision.enum, [
      'VERIFIED',
      'MANUAL_REVIEW',
      'RESUBMIT',
    ])
    assert.deepEqual(Object.keys(schemas.ProofPhotoDetails.properties), [
      'width',
      'height',
      'original_type',
      'taken_at',
      'gps',
      'camera',
    ])
    assert.equal(
      schemas.TaskProof.properties.photo_details.items.$ref,
      '#/components/schemas/ProofPhotoDetails',
    )
    const proof = doc.paths['/api/v1/operator/tasks/{id}/proof'].post
    assert.equal(proof.responses['415'].content['application/json'].schema.$ref, '#/components/schemas/Error')
    assert.ok(proof.responses['413'])
  })
})
