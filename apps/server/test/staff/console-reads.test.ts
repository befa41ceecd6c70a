import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { plainText } from '../agents/smtp.ts'
import { client } from '../helpers/api.ts'
import { createTask, driveTo, newAgent, newOperator, proofForm, review } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { makePhoto } from '../helpers/images.ts'
import { newStaff, openSession, refreshSession, SESSION_H } from '../helpers/staff.ts'

forEachDialect('console reads: queues, lookup, search, health, daily figures', (dialect) => {
  const server = useServer(dialect)

  test('queues count, MANUAL_REVIEW oldest first, task detail with photo facts, ledger and history', async () => {
    const s = server()
    const staff = await newStaff(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const ids: string[] = []
    for (let i = 0; i < 2; i++) {
      const id = await createTask(s, agent, { reward_usd: 10 })
      await driveTo(s, agent, op, id, 'SUBMITTED')
      await review(s, id, 'MANUAL_REVIEW')
      ids.push(id)
      s.clock.advance(1000)
    }
    const q = (await staff.api.get('/admin/queues')).body
    assert.ok(q.manual_review >= 2)
    const list = (await staff.api.get('/admin/tasks?status=MANUAL_REVIEW&limit=100')).body.data
    const mine = list.map((t: { task_id: string }) => t.task_id).filter((id: string) => ids.includes(id))
    assert.deepEqual(mine, ids, 'oldest first')
    const d = await staff.api.get(`/admin/tasks/${ids[0]}`)
    assert.equal(d.status, 200, d.text)
    assert.equal(d.body.agent_id, agent.id)
    assert.match(d.body.proof.photos[0], /\/api\/v1\/files\/file_.*signature=/)
    assert.equal(d.body.photo_facts.length, 1)
    assert.ok('distance_from_task_m' in d.body.photo_facts[0])
    assert.deepEqual(d.body.reuse_matches.length >= 0, true)
    assert.deepEqual(
      d.body.ledger.map((l: { kind: string }) => l.kind),
      ['escrow.hold', 'escrow.hold'],
    )
    assert.equal(d.body.transitions.at(-1).to, 'MANUAL_REVIEW')
  })

  test('the reuse check’s matches: the same photo in another task is shown beside it', async () => {
    const s = server()
    const staff = await newStaff(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    // A real textured photo taken ~111 m north of the task (52.52, 13.405), during the work.
    const photo = await makePhoto({ seed: 41, gps: { lat: 52.521, lng: 13.405 }, takenAt: s.clock.now() })
    const ids: string[] = []
    for (let i = 0; i < 2; i++) {
      const id = await createTask(s, agent, { reward_usd: 5 })
      await driveTo(s, agent, op, id, 'IN_PROGRESS')
      const up = await op.api.post(`/operator/tasks/${id}/proof`, undefined, { form: proofForm([photo]) })
      assert.equal(up.status, 200, up.text)
      ids.push(id)
    }
    const d = (await staff.api.get(`/admin/tasks/${ids[1]}`)).body
    assert.deepEqual(
      d.reuse_matches.map((m: { task_id: string }) => m.task_id),
      [ids[0]],
    )
    assert.match(d.reuse_matches[0].url, /signature=/)
    assert.equal(d.reuse_matches[0].distance_bits, 0)
    const facts = d.photo_facts[0]
    assert.ok(Math.abs(facts.distance_from_task_m - 111) <= 2, JSON.stringify(facts))
    assert.equal(facts.within_radius, true)
    assert.equal(facts.taken_within_work_window, true)
  })

  test('lookup and search: agents and operators by id, email, name; tasks by id; others get 403', async () => {
    const s = server()
    const staff = await newStaff(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 30 })
    const op = await newOperator(s)
    const taskId = await createTask(s, agent, { reward_usd: 5 })
    const me = (await agent.api.get('/agents/me')).body
    const a = (await staff.api.get(`/admin/agents/${agent.id}`)).body
    assert.equal(a.tier, 'STANDARD')
    assert.equal(a.balance.deposit_balance, 24)
    assert.equal(a.recent_tasks[0].task_id, taskId)
    assert.ok(a.limits)
    const o = (await staff.api.get(`/admin/operators/${op.id}`)).body
    assert.equal(o.kyc_status, 'APPROVED')
    assert.equal(o.earnings.pending_balance, 0)
    assert.equal((await staff.api.get('/admin/agents/ag_nope')).status, 404)
    const byEmail = (await staff.api.get(`/admin/search?q=${encodeURIComponent(me.email.toUpperCase())}`))
      .body
    assert.deepEqual(
      byEmail.agents.map((x: { agent_id: string }) => x.agent_id),
      [agent.id],
    )
    const byName = (await staff.api.get(`/admin/search?q=${encodeURIComponent(me.name.slice(2, 12))}`)).body
    assert.ok(byName.agents.some((x: { agent_id: string }) => x.agent_id === agent.id))
    const byTask = (await staff.api.get(`/admin/search?q=${taskId}`)).body
    assert.deepEqual(
      byTask.tasks.map((t: { task_id: string }) => t.task_id),
      [taskId],
    )
    const wild = (await staff.api.get('/admin/search?q=%25%25')).body
    assert.equal(wild.agents.length, 0, 'a % is text, not a wildcard')
    assert.equal((await agent.api.get('/admin/search?q=ab')).status, 403)
    assert.equal((await client(s.url).get('/admin/search?q=ab')).status, 401)
  })

  test('health: the ledger check, job backlog by kind, failing endpoints and the Guardian mix', async () => {
    const s = server()
    const staff = await newStaff(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const id = await createTask(s, agent, { reward_usd: 5 })
    await driveTo(s, agent, op, id, 'SUBMITTED')
    await review(s, id, 'MANUAL_REVIEW')
    const h = (await staff.api.get('/admin/health')).body
    assert.equal(h.ledger.ok, true)
    assert.ok(h.jobs_due_by_kind['guardian.review'] >= 1, JSON.stringify(h.jobs_due_by_kind))
    assert.ok(h.guardian_last_24h.MANUAL_REVIEW >= 1)
    assert.ok(Array.isArray(h.failing_webhook_endpoints))
    assert.ok(h.open_tasks.MANUAL_REVIEW >= 1)
    assert.equal(h.chain, null, 'the development chain has no node to show')
    assert.equal(h.payouts_waiting, 0)
  })

  test('daily figures: created, completed, money, fee, Guardian decisions and the median, per UTC day', async () => {
    const s = server()
    s.clock.set('2026-09-10T08:00:00.000Z')
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
    const op = await newOperator(s)
    const done: string[] = []
    for (const reward of [10, 20, 30]) {
      const id = await createTask(s, agent, { reward_usd: reward })
      await driveTo(s, agent, op, id, 'SUBMITTED')
      s.clock.advance(reward * 60_000) // 10, 20, 30 minutes to completion (plus what came before)
      await review(s, id, 'VERIFIED', 95)
      done.push(id)
    }
    const refunded = await createTask(s, agent, { reward_usd: 5 })
    assert.equal((await agent.api.post(`/tasks/${refunded}/cancel`, {})).status, 200)
    const staff = await newStaff(s) // after the clock moved: its access token lives 15 minutes
    const r = await staff.api.get('/admin/stats/daily?from=2026-09-09&to=2026-09-11')
    assert.equal(r.status, 200, r.text)
    const [before, day, after] = r.body.data
    assert.equal(before.day, '2026-09-09')
    assert.equal(before.tasks_created, 0)
    assert.equal(after.tasks_created, 0)
    assert.equal(day.tasks_created, 4)
    assert.equal(day.tasks_completed, 3)
    // Fees: 5 %, at least $1 → 1, 1, 1.5 and 1.
    assert.equal(day.escrowed_usd, 10 + 20 + 30 + 5 + 4.5)
    assert.equal(day.released_usd, 60)
    assert.equal(day.fee_revenue_usd, 3.5)
    assert.equal(day.refunded_usd, 6)
    assert.equal(day.guardian_verified, 3)
    const created = await s.ctx.store.db
      .selectFrom('tasks')
      .select(['created_at', 'completed_at'])
      .where('id', 'in', done)
      .execute()
    const secs = created
      .map((t) => (Date.parse(t.completed_at!) - Date.parse(t.created_at)) / 1000)
      .sort((a, b) => a - b)
    assert.equal(day.median_completion_s, Math.round(secs[1]!))
    const bad = await staff.api.get('/admin/stats/daily?from=2026-09-11&to=2026-09-10')
    assert.equal(bad.status, 400)
    const long = await staff.api.get('/admin/stats/daily?from=2024-01-01&to=2026-01-01')
    assert.equal(long.status, 400)
    assert.match(long.body.error, /at most 366 days/)
  })

  test('agent dashboard: magic link from the dev mail folder, once; API-key login; CSRF; staff pages say 403', async () => {
    const s = server()
    const agent = await newAgent(s)
    const email = (await agent.api.get('/agents/me')).body.email
    const anon = client(s.url)
    const ask = await anon.post('/dashboard/login-link', { email })
    assert.equal(ask.status, 202, ask.text)
    const unknown = await anon.post('/dashboard/login-link', { email: 'nobody@example.com' })
    assert.deepEqual(unknown.body, ask.body, 'the same answer for an unknown email')
    await s.runJobs()
    const dir = path.join(s.db.dir, 'mail')
    const mails = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => plainText(fs.readFileSync(path.join(dir, f), 'utf8')))
    const mail = mails.find((m) => m.includes('dashboard/login#token='))!
    const token = /dashboard\/login#token=([A-Za-z0-9_-]+)/.exec(mail)![1]!
    const open = await openSession(s, '/dashboard/session', 'humcli_agent_session', { token })
    const again = await anon.post('/dashboard/session', { token }, { headers: SESSION_H })
    assert.equal(again.status, 401, 'a link works once')
    const dash = open.api
    assert.match(open.token, /^hagt_/)
    assert.equal((await dash.get('/agents/me')).body.agent_id, agent.id)
    const key = await dash.post('/agents/keys', { name: 'from the dashboard' })
    assert.equal(key.status, 201, key.text)
    assert.equal((await dash.delete(`/agents/keys/${key.body.id}`)).status, 200)
    const admin = await dash.get('/admin/queues')
    assert.equal(admin.status, 403, admin.text)
    assert.equal((await dash.get('/operator/me')).status, 403)
    // With an API key instead of a link.
    const byKey = await anon.post('/dashboard/session', { api_key: agent.key }, { headers: SESSION_H })
    assert.equal(byKey.status, 200, byKey.text)
    const badKey = await anon.post(
      '/dashboard/session',
      { api_key: 'ho_live_nope_nope_nope' },
      { headers: SESSION_H },
    )
    assert.equal(badKey.status, 401)
    assert.equal((await anon.post('/dashboard/session', {}, { headers: SESSION_H })).status, 400)
    // The access token expires; the refresh cookie renews it.
    s.clock.advance(16 * 60_000)
    assert.equal((await dash.get('/agents/me')).status, 401)
    const renewed = await refreshSession(s, '/dashboard/session', open.cookie)
    assert.equal(renewed.status, 200, renewed.text)
  })
})
