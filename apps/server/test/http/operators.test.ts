import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { client } from '../helpers/api.ts'
import { createTask, newAdmin, newAgent, newOperator, TINY_JPEG } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

forEachDialect('operator API', (dialect) => {
  const server = useServer(dialect, { operatorMaxActiveTasks: 2 })

  test('register, duplicate email, login, wrong password, me', async () => {
    const s = server()
    const op = await newOperator(s, { skills: ['PHOTO'], location: { city: 'Berlin', country: 'DE' } })
    const dup = await client(s.url).post('/operator/register', {
      name: 'x',
      email: op.email,
      password: 'another long one',
    })
    assert.equal(dup.status, 409)
    assert.equal(dup.body.code, 'CONFLICT')
    const bad = await client(s.url).post('/operator/login', { email: op.email, password: 'wrong password!' })
    assert.equal(bad.status, 401)
    const unknown = await client(s.url).post('/operator/login', {
      email: 'nobody@example.com',
      password: 'wrong password!',
    })
    assert.equal(unknown.status, 401)
    assert.equal(unknown.body.error, bad.body.error)
    const login = await client(s.url).post('/operator/login', {
      email: op.email.toUpperCase(),
      password: op.password,
    })
    assert.equal(login.status, 200)
    const me = await client(s.url, { token: login.body.token }).get('/operator/me')
    assert.equal(me.body.operator_id, op.id)
    assert.deepEqual(me.body.skills, ['PHOTO'])
    assert.equal(me.body.rating, 5)
    assert.equal(me.body.kyc_status, 'APPROVED')
  })

  test('browse: near + radius with distance_km, skills, task_type filter, sandbox hidden', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 500 })
    const sandbox = await newAgent(s)
    const near = await createTask(s, agent, { location: { lat: 52.52, lng: 13.405 } }) // Berlin Mitte
    const far = await createTask(s, agent, { location: { lat: 52.4, lng: 13.05 } }) // Potsdam, ~27 km
    const digital = await createTask(s, agent, { task_type: 'CONTENT_REVIEW', location: undefined })
    const hidden = await createTask(s, sandbox, { reward_usd: 5 })
    const op = await newOperator(s)
    const all = (await op.api.get('/operator/tasks?limit=100')).body
    const ids = all.data.map((t: { task_id: string }) => t.task_id)
    assert.ok(ids.includes(near) && ids.includes(far) && ids.includes(digital))
    assert.ok(!ids.includes(hidden), 'sandbox tasks are never offered to real operators')
    assert.equal((await op.api.post(`/operator/tasks/${hidden}/accept`, { estimate_hours: 1 })).status, 404)

    const close = (await op.api.get('/operator/tasks?near=52.5200,13.4000&radius_km=5')).body
    assert.deepEqual(
      close.data.map((t: { task_id: string }) => t.task_id).filter((id: string) => [near, far].includes(id)),
      [near],
    )
    const d = close.data.find((t: { task_id: string }) => t.task_id === near).distance_km
    assert.ok(d > 0.2 && d < 0.5, `distance ${d}`)
    assert.equal(close.pagination.total, close.data.length)
    const wide = (await op.api.get('/operator/tasks?near=52.52,13.40&radius_km=40')).body
    assert.ok(wide.data.some((t: { task_id: string }) => t.task_id === far))

    const typed = (await op.api.get('/operator/tasks?task_type=CONTENT_REVIEW')).body
    assert.ok(typed.data.every((t: { task_type: string }) => t.task_type === 'CONTENT_REVIEW'))
    assert.ok(typed.data.some((t: { task_id: string }) => t.task_id === digital))

    const photographer = await newOperator(s, { skills: ['PHOTO'] })
    const mine = (await photographer.api.get('/operator/tasks?limit=100')).body
    assert.ok(mine.data.every((t: { task_type: string }) => t.task_type === 'PHOTO'))
    const refused = await photographer.api.post(`/operator/tasks/${digital}/accept`, { estimate_hours: 1 })
    assert.equal(refused.status, 403)
  })

  test('accept: 410 after the deadline, cap on unfinished tasks, release reopens and is counted', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 500 })
    const op = await newOperator(s)
    const soon = await createTask(s, agent, {
      deadline: new Date(s.clock.now().getTime() + 3_600_000).toISOString(),
    })
    const a = await createTask(s, agent)
    const b = await createTask(s, agent)
    const c = await createTask(s, agent)
    s.clock.advance(3_600_000 + 1000)
    // Tokens last an hour; log in again after moving the clock.
    assert.equal((await op.api.get('/operator/me')).status, 401)
    const login = await client(s.url).post('/operator/login', { email: op.email, password: op.password })
    const api = client(s.url, { token: login.body.token })
    const gone = await api.post(`/operator/tasks/${soon}/accept`, { estimate_hours: 1 })
    assert.equal(gone.status, 410)
    assert.equal(gone.body.code, 'GONE')
    assert.equal((await api.post(`/operator/tasks/${a}/accept`, { estimate_hours: 1 })).status, 200)
    assert.equal((await api.post(`/operator/tasks/${b}/accept`, { estimate_hours: 1 })).status, 200)
    const capped = await api.post(`/operator/tasks/${c}/accept`, { estimate_hours: 1 })
    assert.equal(capped.status, 422)
    assert.match(capped.body.error, /unfinished tasks/)
    const rel = await api.post(`/operator/tasks/${a}/release`, { reason: 'cannot make it' })
    assert.equal(rel.status, 200)
    assert.equal(rel.body.status, 'PENDING')
    assert.equal((await api.post(`/operator/tasks/${c}/accept`, { estimate_hours: 1 })).status, 200)
    const me = (await api.get('/operator/me')).body
    assert.equal(me.counts.releases, 1)
    assert.equal(me.counts.active, 2)
    const mineList = (await api.get('/operator/tasks/mine?status=ESTIMATE_PENDING')).body
    assert.deepEqual(mineList.data.map((t: { task_id: string }) => t.task_id).sort(), [b, c].sort())
    const task = (await agent.api.get(`/tasks/${a}`)).body
    assert.equal(task.operator, null)
    assert.equal(task.transitions.at(-1).reason, 'cannot make it')
  })
})

forEachDialect('operator KYC in manual mode', (dialect) => {
  const server = useServer(dialect, { kycMode: 'manual' })

  test('no accept before approval; documents encrypted at rest; admin approval unlocks accepting', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const taskId = await createTask(s, agent)
    const op = await newOperator(s)
    assert.equal((await op.api.get('/operator/me')).body.kyc_status, 'PENDING')
    const early = await op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })
    assert.equal(early.status, 403)
    assert.equal(early.body.code, 'KYC_REQUIRED')

    const secret = Buffer.concat([TINY_JPEG, Buffer.from('PASSPORT-NUMBER-X1234567')])
    const form = new FormData()
    for (const f of ['id_document', 'selfie', 'proof_of_address'])
      form.append(f, new Blob([new Uint8Array(secret)]), `${f}.jpg`)
    const missing = new FormData()
    missing.append('selfie', new Blob([new Uint8Array(TINY_JPEG)]), 'selfie.jpg')
    const refused = await op.api.post('/operator/kyc', undefined, { form: missing })
    assert.equal(refused.status, 400)
    assert.match(refused.body.error, /id_document/)
    const up = await op.api.post('/operator/kyc', undefined, { form })
    assert.equal(up.status, 200, up.text)
    assert.equal(up.body.kyc_status, 'PENDING')
    const dir = path.join(s.db.dir, 'files', 'kyc', op.id)
    const stored = fs.readdirSync(dir)
    assert.equal(stored.length, 3)
    for (const f of stored)
      assert.ok(
        !fs.readFileSync(path.join(dir, f)).includes('PASSPORT-NUMBER'),
        'documents are encrypted at rest',
      )

    const admin = await newAdmin(s)
    const dec = await admin.api.post(`/admin/operators/${op.id}/kyc`, { decision: 'APPROVE' })
    assert.equal(dec.status, 200)
    assert.equal((await op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })).status, 200)
  })
})
