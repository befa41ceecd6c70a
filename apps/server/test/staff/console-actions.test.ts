import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { createTask, driveTo, newAgent, newOperator, review, TINY_JPEG, txHash } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { newStaff } from '../helpers/staff.ts'
import { fundedOperator, payoutBody } from '../payouts/fixtures.ts'

async function inManualReview(s: TestServer) {
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  const op = await newOperator(s)
  const taskId = await createTask(s, agent, { reward_usd: 10 })
  await driveTo(s, agent, op, taskId, 'SUBMITTED')
  await review(s, taskId, 'MANUAL_REVIEW')
  return { agent, op, taskId }
}

const auditOf = async (s: TestServer, objectId: string) =>
  s.ctx.store.db.selectFrom('audit_log').selectAll().where('object_id', '=', objectId).orderBy('id').execute()

forEachDialect('staff decisions: audit log and concurrent decisions', (dialect) => {
  const server = useServer(dialect)

  test('two staff decide the same review at once: one wins, the other is told who and when; nothing twice', async () => {
    const s = server()
    const [alice, bob] = [await newStaff(s), await newStaff(s)]
    const { agent, taskId } = await inManualReview(s)
    const [a, b] = await Promise.all([
      alice.api.post(`/admin/tasks/${taskId}/review`, { decision: 'APPROVE', note: 'looks right' }),
      bob.api.post(`/admin/tasks/${taskId}/review`, { decision: 'REJECT', note: 'blurry' }),
    ])
    const won = [a, b].filter((r) => r.status === 200)
    const lost = [a, b].filter((r) => r.status !== 200)
    assert.equal(won.length, 1, `${a.text} / ${b.text}`)
    assert.equal(lost[0]!.status, 409)
    const winner = won[0] === a ? alice : bob
    assert.match(
      lost[0]!.body.error,
      new RegExp(`already decided by ${winner.email.replace('.', '\\.')} \\(admin:${winner.id}\\) at 20`),
    )
    assert.match(lost[0]!.body.error, /nothing was changed/)
    const lines = await auditOf(s, taskId)
    assert.equal(lines.length, 1)
    assert.equal(lines[0]!.actor, `admin:${winner.id}`)
    assert.equal(JSON.parse(lines[0]!.before!).status, 'MANUAL_REVIEW')
    const ledger = await s.ctx.store.db
      .selectFrom('ledger_transactions')
      .select('kind')
      .where('task_id', '=', taskId)
      .execute()
    assert.equal(ledger.filter((l) => l.kind !== 'escrow.hold').length, 1, 'one settlement')
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
    // Later, one after the other: the same sentence.
    const again = await alice.api.post(`/admin/tasks/${taskId}/review`, { decision: 'APPROVE' })
    assert.equal(again.status, 409)
    assert.match(again.body.error, /already decided by/)
    void agent
  })

  test('a dispute split 60/40: the audit line holds each side’s money; a percentage out of range is refused', async () => {
    const s = server()
    const staff = await newStaff(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(s)
    const taskId = await createTask(s, agent, { reward_usd: 40 })
    await driveTo(s, agent, op, taskId, 'SUBMITTED')
    assert.equal(
      (await agent.api.post(`/tasks/${taskId}/verify`, { decision: 'REJECT', reason: 'half' })).status,
      200,
    )
    for (const bad of [0, 100, 101, -1]) {
      const r = await staff.api.post(`/admin/tasks/${taskId}/resolve`, {
        outcome: 'SPLIT',
        operator_percent: bad,
        note: 'x',
      })
      assert.equal(r.status, 400, `${bad}: ${r.text}`)
    }
    const r = await staff.api.post(`/admin/tasks/${taskId}/resolve`, {
      outcome: 'SPLIT',
      operator_percent: 60,
      note: 'partly done',
    })
    assert.equal(r.status, 200, r.text)
    assert.equal((await op.api.get('/operator/earnings')).body.pending_balance, 24)
    assert.equal((await agent.api.get('/agents/balance')).body.deposit_balance, 100 - 42 + 16)
    const [line] = await auditOf(s, taskId)
    assert.equal(line!.action, 'task.dispute.resolve')
    assert.equal(line!.note, 'partly done')
    assert.deepEqual(JSON.parse(line!.after!), {
      status: 'COMPLETED',
      outcome: 'SPLIT',
      operator_percent: 60,
      operator_usd: 24,
      agent_usd: 16,
    })
  })

  test('payouts: stuck ones listed oldest first and reconciled by an admin, audited; the second is told who did it', async () => {
    const s = server()
    const op = await fundedOperator(s, 20) // moves the clock 48 h: log in after it
    const admin = await newStaff(s, 'admin')
    const id = (await op.api.post('/operator/payout', payoutBody(10))).body.payout_id
    await s.ctx.store.db
      .updateTable('payouts')
      .set({ send_attempted_at: s.clock.now().toISOString() })
      .where('id', '=', id)
      .execute()
    const early = await admin.api.get('/admin/payouts/stuck')
    assert.equal(early.status, 200, early.text)
    assert.equal(early.body.pagination.total, 0, 'not past the expected time yet')
    s.clock.advance(11 * 60_000)
    const stuck = await admin.api.get('/admin/payouts/stuck')
    assert.deepEqual(
      stuck.body.data.map((p: { payout_id: string }) => p.payout_id),
      [id],
    )
    assert.equal((await admin.api.get('/admin/queues')).body.payouts_stuck, 1)
    const hash = txHash()
    const ok = await admin.api.post(`/admin/payouts/${id}/reconcile`, { outcome: 'CONFIRMED', tx_hash: hash })
    assert.equal(ok.status, 200, ok.text)
    const again = await admin.api.post(`/admin/payouts/${id}/reconcile`, { outcome: 'FAILED' })
    assert.equal(again.status, 409)
    assert.match(again.body.error, new RegExp(`already decided by ${admin.email.replace('.', '\\.')}`))
    const [line] = await auditOf(s, id)
    assert.equal(line!.action, 'payout.reconcile.confirmed')
    assert.equal(JSON.parse(line!.after!).tx_hash, hash)
  })

  test('audit log: filter by actor, action prefix and object; CSV export; the table refuses UPDATE and DELETE', async () => {
    const s = server()
    const admin = await newStaff(s, 'admin')
    const agent = await newAgent(s)
    await admin.api.post(`/admin/agents/${agent.id}/tier`, { tier: 'VERIFIED' })
    await admin.api.post(`/admin/agents/${agent.id}/restriction`, {
      restricted: true,
      reason: 'spam, "quoted"',
    })
    const list = await admin.api.get(`/admin/audit?object_id=${agent.id}`)
    assert.equal(list.status, 200, list.text)
    assert.deepEqual(
      list.body.data.map((l: { action: string }) => l.action),
      ['agent.restrict', 'agent.tier'],
    )
    const tier = list.body.data[1]
    assert.equal(tier.actor, `admin:${admin.id}`)
    assert.equal(tier.actor_email, admin.email)
    assert.deepEqual([tier.before, tier.after], [{ tier: 'SANDBOX' }, { tier: 'VERIFIED' }])
    const byPrefix = await admin.api.get(`/admin/audit?action=agent.&actor=admin:${admin.id}`)
    assert.equal(byPrefix.body.pagination.total, 2)
    const mine = `object_id=${agent.id}`
    assert.equal((await admin.api.get(`/admin/audit?action=agent.&${mine}`)).body.pagination.total, 2)
    const exact = await admin.api.get(`/admin/audit?action=agent&${mine}`)
    assert.equal(exact.body.pagination.total, 0, 'exact unless it ends in a dot')
    assert.equal((await admin.api.get(`/admin/audit?action=task.&${mine}`)).body.pagination.total, 0)
    const csv = await admin.api.get(`/admin/audit.csv?object_id=${agent.id}`)
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('content-type')!, /^text\/csv/)
    assert.match(csv.headers.get('content-disposition')!, /attachment/)
    const rows = csv.text.trim().split('\r\n')
    assert.equal(rows[0], 'id,at,actor,actor_email,action,object_type,object_id,before,after,note')
    assert.equal(rows.length, 3)
    assert.ok(rows[1]!.endsWith(',"spam, ""quoted"""'), rows[1])
    const db = s.ctx.store.db
    await assert.rejects(db.updateTable('audit_log').set({ note: 'edited' }).execute(), /append-only/)
    await assert.rejects(db.deleteFrom('audit_log').execute(), /append-only/)
  })
})

forEachDialect('staff decisions: KYC in manual mode', (dialect) => {
  const server = useServer(dialect, { kycMode: 'manual' })

  test('KYC: the queue oldest first, documents decrypted only for the viewer (no-store), decided once with a reason', async () => {
    const s = server()
    const staff = await newStaff(s)
    const other = await newStaff(s)
    const ops = [await newOperator(s), await newOperator(s)]
    const secret = Buffer.concat([TINY_JPEG, Buffer.from('PASSPORT-X1234567')])
    for (const op of ops) {
      await s.ctx.store.db
        .updateTable('operators')
        .set({ kyc_status: 'PENDING' })
        .where('id', '=', op.id)
        .execute()
      const form = new FormData()
      for (const f of ['id_document', 'selfie', 'proof_of_address'])
        form.append(f, new Blob([new Uint8Array(secret)]), `${f}.jpg`)
      assert.equal((await op.api.post('/operator/kyc', undefined, { form })).status, 200)
      s.clock.advance(1000)
    }
    const queue = await staff.api.get('/admin/operators?kyc_status=PENDING')
    assert.deepEqual(
      queue.body.data.map((o: { operator_id: string }) => o.operator_id),
      ops.map((o) => o.id),
    )
    assert.equal((await staff.api.get('/admin/queues')).body.kyc_pending, 2)
    const docs = await staff.api.get(`/admin/operators/${ops[0]!.id}/kyc-documents`)
    assert.equal(docs.status, 200, docs.text)
    assert.equal(docs.headers.get('cache-control'), 'no-store')
    assert.deepEqual(docs.body.documents.map((d: { purpose: string }) => d.purpose).sort(), [
      'id_document',
      'proof_of_address',
      'selfie',
    ])
    const bytes = Buffer.from(docs.body.documents[0].data_url.split(',')[1], 'base64')
    assert.ok(bytes.includes('PASSPORT-X1234567'), 'decrypted for the viewer')
    assert.equal((await ops[0]!.api.get(`/admin/operators/${ops[0]!.id}/kyc-documents`)).status, 403)
    const [a, b] = await Promise.all([
      staff.api.post(`/admin/operators/${ops[0]!.id}/kyc`, { decision: 'APPROVE' }),
      other.api.post(`/admin/operators/${ops[0]!.id}/kyc`, { decision: 'APPROVE' }),
    ])
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.text} ${b.text}`)
    assert.match((a.status === 409 ? a : b).body.error, /already decided by staff-/)
    const rej = await staff.api.post(`/admin/operators/${ops[1]!.id}/kyc`, {
      decision: 'REJECT',
      reason: 'the selfie is not you',
    })
    assert.equal(rej.status, 200, rej.text)
    const me = (await ops[1]!.api.get('/operator/me')).body
    assert.equal(me.kyc_status, 'REJECTED')
    assert.equal(me.kyc_reason, 'the selfie is not you')
    const actions = (await auditOf(s, ops[0]!.id)).map((l) => l.action)
    assert.deepEqual(actions, ['kyc.view', 'kyc.approve'])
  })
})
