import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { sendPayout } from '../../src/payments/send-payout.ts'
import { client } from '../helpers/api.ts'
import { newAdmin, newAgent, newOperator } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { CountingChain, fundedOperator, payoutBody, RefusingChain, wallet } from './fixtures.ts'

forEachDialect('operator payouts', (dialect) => {
  const chain = new CountingChain()
  const server = useServer(dialect, {}, { chain })

  test('a payout moves available → in flight at once, the job confirms it on chain with a tx hash', async () => {
    const s = server()
    const op = await fundedOperator(s, 25)
    const to = wallet()
    const r = await op.api.post('/operator/payout', payoutBody(15, { wallet_address: to }))
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.status, 'PENDING_ONCHAIN')
    assert.equal(r.body.tx_hash, null)
    assert.equal(r.body.amount_usd, 15)
    assert.equal(r.body.gas_fee_usd, 0)
    assert.equal(r.body.net_amount_usd, 15)
    assert.equal(r.body.to_address, to)
    assert.equal(r.body.chain, 'base')
    assert.match(r.body.payout_id, /^payout_/)
    assert.match(r.body.message, /queued/)
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 10)

    await s.runJobs()
    const list = await op.api.get('/operator/payouts')
    assert.equal(list.status, 200)
    assert.equal(list.body.pagination.total, 1)
    const p = list.body.data[0]
    assert.equal(p.payout_id, r.body.payout_id)
    assert.equal(p.status, 'CONFIRMED')
    assert.match(p.tx_hash, /^0x[0-9a-f]{64}$/)
    assert.match(p.message, /confirmed on base/)
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 10)
    const events = await s.ctx.store.db
      .selectFrom('outbox')
      .select(['payload', 'operator_id', 'agent_id'])
      .where('type', '=', 'payout.updated')
      .where('operator_id', '=', op.id)
      .orderBy('seq')
      .execute()
    assert.deepEqual(
      events.map((e) => [JSON.parse(e.payload).status, e.agent_id]),
      [
        ['PENDING_ONCHAIN', null],
        ['CONFIRMED', null],
      ],
    )
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
    // Every job ran cleanly, the fan-out of operator-owned events included.
    const failing = await s.ctx.store.db
      .selectFrom('jobs')
      .select(['kind', 'last_error'])
      .where('last_error', 'is not', null)
      .execute()
    assert.deepEqual(failing, [])
  })

  test('refusals: minimum $10 (422), wallet address, method, chain, decimals (400), more than available (402)', async () => {
    const s = server()
    const op = await fundedOperator(s, 20)
    const expect = async (body: Record<string, unknown>, status: number, re: RegExp) => {
      const r = await op.api.post('/operator/payout', body)
      assert.equal(r.status, status, r.text)
      assert.match(r.body.error, re)
    }
    await expect(payoutBody(9.99), 422, /minimum payout is \$10; you asked for \$9.99/)
    await expect(payoutBody(10, { wallet_address: '0x1234' }), 400, /wallet_address.*0x followed by 40 hex/)
    await expect(payoutBody(10, { wallet_address: `0x${'g'.repeat(40)}` }), 400, /wallet_address/)
    await expect(payoutBody(10, { method: 'paypal' }), 400, /method/)
    await expect(payoutBody(10, { chain: 'ethereum' }), 400, /chain/)
    await expect(payoutBody(10.0000001), 400, /amount_usd/)
    await expect(payoutBody(10, { extra: 1 }), 400, /extra/)
    const over = await op.api.post('/operator/payout', payoutBody(20.5))
    assert.equal(over.status, 402)
    assert.equal(over.body.code, 'INSUFFICIENT_BALANCE')
    assert.match(over.body.error, /asked for \$20.5 but \$20 is available/)
    assert.equal((await op.api.get('/operator/payouts')).body.pagination.total, 0)
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 20)
    const admin = await newAdmin(s)
    assert.equal((await admin.api.post(`/admin/operators/${op.id}/kyc`, { decision: 'REJECT' })).status, 200)
    const kyc = await op.api.post('/operator/payout', payoutBody(10))
    assert.equal(kyc.status, 403)
    assert.equal(kyc.body.code, 'KYC_REQUIRED')
    // Pending earnings are not available yet.
    const fresh = await newOperator(s)
    const none = await fresh.api.post('/operator/payout', payoutBody(10))
    assert.equal(none.status, 402)
    assert.match(none.body.error, /\$0 is available/)
  })

  test('payouts are the operator’s own: lists never show others’, other roles are refused', async () => {
    const s = server()
    const a = await fundedOperator(s, 30)
    const b = await newOperator(s)
    assert.equal((await a.api.post('/operator/payout', payoutBody(10))).status, 201)
    const theirs = await b.api.get('/operator/payouts')
    assert.deepEqual(theirs.body, { data: [], pagination: { limit: 20, offset: 0, total: 0 } })
    const agent = await newAgent(s)
    assert.equal((await agent.api.post('/operator/payout', payoutBody(10))).status, 403)
    assert.equal((await agent.api.get('/operator/payouts')).status, 403)
    assert.equal((await a.api.post('/operator/payout', payoutBody(10))).status, 201)
    const page = await a.api.get('/operator/payouts?limit=1&offset=1')
    assert.equal(page.body.pagination.total, 2)
    assert.equal(page.body.data.length, 1)
  })

  test('at most once: the send job run twice, even at the same time, calls the chain once', async () => {
    const s = server()
    const op = await fundedOperator(s, 10)
    const r = await op.api.post('/operator/payout', payoutBody(10))
    const before = chain.sent.length
    await Promise.all([
      sendPayout(s.ctx, { payoutId: r.body.payout_id }),
      sendPayout(s.ctx, { payoutId: r.body.payout_id }),
    ])
    await sendPayout(s.ctx, { payoutId: r.body.payout_id })
    await s.runJobs() // the queued job itself
    assert.deepEqual(chain.sent.slice(before), [r.body.payout_id])
    const p = (await op.api.get('/operator/payouts')).body.data[0]
    assert.equal(p.status, 'CONFIRMED')
    const confirms = await s.ctx.store.db
      .selectFrom('ledger_transactions')
      .select('id')
      .where('kind', '=', 'payout.confirmed')
      .where('memo', '=', r.body.payout_id)
      .execute()
    assert.equal(confirms.length, 1)
  })

  test('a send whose answer was lost is never sent again; staff reconcile it from the chain', async () => {
    const s = server()
    const admin = await newAdmin(s)
    const op = await fundedOperator(s, 40)
    const a = (await op.api.post('/operator/payout', payoutBody(10))).body.payout_id
    const b = (await op.api.post('/operator/payout', payoutBody(10))).body.payout_id
    const c = (await op.api.post('/operator/payout', payoutBody(10))).body.payout_id
    const early = await admin.api.post(`/admin/payouts/${c}/reconcile`, { outcome: 'FAILED' })
    assert.equal(early.status, 409)
    assert.match(early.body.error, /not been sent yet/)
    // The state a crash leaves between "attempt recorded" and "answer recorded" (`claimAttempt`).
    await s.ctx.store.db
      .updateTable('payouts')
      .set({ send_attempted_at: s.clock.now().toISOString() })
      .where('id', 'in', [a, b])
      .execute()
    const before = chain.sent.length
    await s.runJobs()
    assert.deepEqual(chain.sent.slice(before), [c])
    const stuck = await admin.api.get('/admin/payouts?status=PENDING_ONCHAIN')
    const mine = stuck.body.data.filter((p: { operator_id: string }) => p.operator_id === op.id)
    assert.deepEqual(mine.map((p: { payout_id: string }) => p.payout_id).sort(), [a, b].sort())
    assert.ok(mine.every((p: { send_attempted_at: string | null }) => p.send_attempted_at))
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 10)

    const noHash = await admin.api.post(`/admin/payouts/${a}/reconcile`, { outcome: 'CONFIRMED' })
    assert.equal(noHash.status, 400)
    assert.match(noHash.body.error, /tx_hash/)
    const hash = `0x${'ab'.repeat(32)}`
    const ok = await admin.api.post(`/admin/payouts/${a}/reconcile`, { outcome: 'CONFIRMED', tx_hash: hash })
    assert.equal(ok.status, 200, ok.text)
    assert.equal(ok.body.status, 'CONFIRMED')
    assert.equal(ok.body.tx_hash, hash)
    const failed = await admin.api.post(`/admin/payouts/${b}/reconcile`, {
      outcome: 'FAILED',
      note: 'no transfer on chain',
    })
    assert.equal(failed.body.status, 'FAILED')
    assert.match(failed.body.failure_reason, /reconciled by admin .*: no transfer on chain/)
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 20)
    assert.equal((await admin.api.post(`/admin/payouts/${b}/reconcile`, { outcome: 'FAILED' })).status, 409)
    assert.equal(
      (await admin.api.post('/admin/payouts/payout_nope/reconcile', { outcome: 'FAILED' })).status,
      404,
    )
    assert.equal((await op.api.post(`/admin/payouts/${b}/reconcile`, { outcome: 'FAILED' })).status, 403)
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })

  test('the OpenAPI document describes the payout, credential and reconcile routes', async () => {
    const s = server()
    const doc = (await client(s.url).get('/openapi.json')).body
    for (const p of [
      '/api/v1/operator/payout',
      '/api/v1/operator/payouts',
      '/api/v1/tasks/{id}/retrieve-credential',
      '/api/v1/admin/tasks/{id}',
      '/api/v1/admin/payouts',
      '/api/v1/admin/payouts/{id}/reconcile',
    ]) {
      assert.ok(doc.paths[p], `missing ${p}`)
    }
    const payout = doc.paths['/api/v1/operator/payout'].post
    assert.deepEqual(payout.security, [{ bearer: [] }])
    const body = payout.requestBody.content['application/json'].schema
    assert.deepEqual(Object.keys(body.properties).sort(), ['amount_usd', 'chain', 'method', 'wallet_address'])
    assert.ok(payout.responses['201'])
    const cred = doc.paths['/api/v1/tasks/{id}/retrieve-credential'].post.responses['200']
    assert.ok(JSON.stringify(cred).includes('x25519-sealedbox'))
  })

  test('Idempotency-Key: the same request 10 times at once makes one payout', async () => {
    const s = server()
    const op = await fundedOperator(s, 50)
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        op.api.post('/operator/payout', payoutBody(10), { headers: { 'idempotency-key': 'withdraw-1' } }),
      ),
    )
    assert.deepEqual(
      results.map((r) => r.status),
      Array(10).fill(201),
    )
    assert.equal(new Set(results.map((r) => r.body.payout_id)).size, 1)
    assert.equal(results.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 9)
    assert.equal((await op.api.get('/operator/payouts')).body.pagination.total, 1)
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 40)
    const other = await op.api.post('/operator/payout', payoutBody(11), {
      headers: { 'idempotency-key': 'withdraw-1' },
    })
    assert.equal(other.status, 422)
  })
})

forEachDialect('operator payouts on a refusing chain', (dialect) => {
  const server = useServer(dialect, { payoutGasFeeMicros: 250_000n }, { chain: new RefusingChain() })

  test('a failed payout is FAILED with the reason and its whole amount returns to available', async () => {
    const s = server()
    const op = await fundedOperator(s, 30)
    const r = await op.api.post('/operator/payout', payoutBody(12))
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.gas_fee_usd, 0.25)
    assert.equal(r.body.net_amount_usd, 11.75)
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 18)
    await s.runJobs()
    const p = (await op.api.get('/operator/payouts')).body.data[0]
    assert.equal(p.status, 'FAILED')
    assert.equal(p.tx_hash, null)
    assert.match(p.failure_reason, /insufficient USDC/)
    assert.match(p.message, /\$12 is back in your available balance/)
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 30)
    await s.runJobs()
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 30)
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
    const gasOnly = await op.api.post('/operator/payout', payoutBody(10, { amount_usd: 10 }))
    assert.equal(gasOnly.status, 201)
  })
})
