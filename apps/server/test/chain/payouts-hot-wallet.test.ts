import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { runDueJobs } from '../../src/worker/runner.ts'
import type { OperatorFixture } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer } from '../helpers/harness.ts'
import { captureLog } from '../helpers/log.ts'
import { fundedOperator } from '../payouts/fixtures.ts'
import { useAnvil } from './anvil.ts'
import { assertPaidOnce, loggedIn, payoutRow, payoutServer, requestPayout, USD } from './payout-fixtures.ts'

const node = useAnvil()

/** Runs the payout jobs again as their poll comes round, until none of `ids` is PENDING_ONCHAIN. */
async function settle(s: TestServer, ids: string[], wait = s.ctx.config.chain!.pollMs): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const rows = await Promise.all(ids.map((id) => payoutRow(s, id)))
    if (rows.every((r) => r.status !== 'PENDING_ONCHAIN')) return
    s.clock.advance(wait)
    await s.runJobs()
  }
  assert.fail('the payouts did not settle')
}

async function waitingGauge(s: TestServer): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text()
  return Number(/^humcli_payouts_waiting (\d+)$/m.exec(text)?.[1])
}

forEachDialect('payouts from one hot wallet, on a real chain', (dialect) => {
  test('20 payouts at once, three runners: 20 distinct nonces, all mined, each operator paid exactly', {
    timeout: 600_000,
  }, async (t) => {
    const n = node()
    const { s, hot, agent } = await payoutServer(n, dialect, { agentUsd: 1_000n })
    t.after(() => s.close())
    const ops: OperatorFixture[] = []
    for (let i = 0; i < 20; i++) ops.push(await fundedOperator(s, 30, agent))
    const nonceBefore = BigInt(await n.public.getTransactionCount({ address: hot.address }))
    // Amounts differ per operator ($10 … $29), so a payout sent to the wrong wallet shows.
    const fresh = await Promise.all(ops.map((op) => loggedIn(s, op)))
    const payouts = await Promise.all(fresh.map((op, i) => requestPayout(n, op, 10 + i)))
    // Three job runners with two payout slots each, like three worker processes on one database.
    await Promise.all([runDueJobs(s.ctx), runDueJobs(s.ctx), runDueJobs(s.ctx)])
    await settle(
      s,
      payouts.map((p) => p.id),
    )
    const rows = await Promise.all(payouts.map((p) => payoutRow(s, p.id)))
    const nonces = rows.map((r) => r.nonce!).sort((a, b) => (a < b ? -1 : 1))
    assert.deepEqual(
      nonces,
      Array.from({ length: 20 }, (_, i) => nonceBefore + BigInt(i)),
      'each payout its own nonce, none skipped',
    )
    for (const [i, p] of payouts.entries()) await assertPaidOnce(n, s, p.id, p.to, BigInt(10 + i))
    assert.equal(BigInt(await n.public.getTransactionCount({ address: hot.address })), nonceBefore + 20n)
    assert.equal(await n.balanceOf(n.usdc, hot.address), 1_000n * USD - 390n * USD, '$10 + … + $29 left it')
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })

  test('a hot wallet without USDC, then without gas: the payout waits (metric, log line), then goes out', {
    timeout: 600_000,
  }, async (t) => {
    const n = node()
    const captured = captureLog('warn')
    const { s, hot, agent } = await payoutServer(n, dialect, { hotUsdc: 0n }, { log: captured.log })
    t.after(() => s.close())
    const op = await fundedOperator(s, 60, agent)
    const retry = s.ctx.config.chain!.payoutRetryMs

    const first = await requestPayout(n, op, 20)
    await s.runJobs()
    let row = await payoutRow(s, first.id)
    assert.equal(row.status, 'PENDING_ONCHAIN', 'waits, not FAILED')
    assert.equal(row.signed_tx, null, 'nothing signed while it cannot be paid')
    assert.match(
      row.waiting_reason!,
      /the hot wallet holds \$0 USDC, less than the \$20 to send: fund it with USDC/,
    )
    assert.equal(await waitingGauge(s), 1)
    const warned = captured.lines.map((l) => JSON.parse(l)).filter((l) => l.payout === first.id)
    assert.equal(warned.length, 1, captured.lines.join(''))
    assert.equal(warned[0].level, 40)
    assert.equal(warned[0].short, 'usdc')
    assert.equal(warned[0].wallet, hot.address)
    assert.match(warned[0].msg, /^payout waits: the hot wallet holds \$0 USDC/)
    const seen = (await op.api.get('/operator/payouts')).body.data[0]
    assert.equal(seen.status, 'PENDING_ONCHAIN')
    assert.match(seen.message, /waits: .* It goes out by itself once that is fixed\./)

    await n.mint(n.usdc, hot.address, 100n * USD)
    await settle(s, [first.id], retry)
    await assertPaidOnce(n, s, first.id, first.to, 20n)
    assert.equal(await waitingGauge(s), 0)

    await n.test.setBalance({ address: hot.address, value: 0n })
    const second = await requestPayout(n, op, 15)
    await s.runJobs()
    row = await payoutRow(s, second.id)
    assert.equal(row.status, 'PENDING_ONCHAIN', 'waits for gas, not FAILED')
    assert.match(
      row.waiting_reason!,
      /the hot wallet holds 0 ETH, less than the .* ETH of gas this transfer may cost: fund it with ETH/,
    )
    assert.equal(await waitingGauge(s), 1)
    assert.ok(
      captured.lines.some((l) => l.includes(second.id) && l.includes('"short":"gas"')),
      'a log line for staff',
    )
    await n.test.setBalance({ address: hot.address, value: 10n ** 18n })
    await settle(s, [second.id], retry)
    await assertPaidOnce(n, s, second.id, second.to, 15n)
    assert.equal(await waitingGauge(s), 0)
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })
})
