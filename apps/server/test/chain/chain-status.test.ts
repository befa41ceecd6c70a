import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { getAddress } from 'viem'
import { setAgentTier } from '../../src/admin/set-tier.ts'
import { EXIT } from '../../src/cli/exit-codes.ts'
import { scheduleWatcher } from '../../src/payments/watch-deposits.ts'
import { dbEnv, forEachDialect, runHumcli, startTestServer } from '../helpers/harness.ts'
import { fundedOperator, payoutBody } from '../payouts/fixtures.ts'
import { ANVIL_CHAIN_ID, useAnvil } from './anvil.ts'
import { agentWithWallet, chainOverrides, keyFile, runWatcher } from './fixtures.ts'

const USD = 1_000_000n
const node = useAnvil()

forEachDialect('humcli admin chain-status', (dialect) => {
  test('balances, watcher lag and a reconciliation that holds after deposits and payouts, and fails on a planted difference', {
    timeout: 600_000,
  }, async (t) => {
    const n = node()
    const hot = await n.newAccount()
    const deposit = (await n.newAccount()).address
    await n.mint(n.usdc, hot.address, 500n * USD) // before the watcher starts: the opening balance
    const hotFile = keyFile(fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-hot-')), hot.key)
    const s = await startTestServer(dialect, chainOverrides(n, deposit, { payoutKeyFile: hotFile }))
    t.after(() => s.close())
    await scheduleWatcher(s.ctx)
    await s.runJobs()

    // Money in: a credited deposit and a transfer from an unbound wallet; money out: a payout.
    const agent = await agentWithWallet(s, n, 300n * USD)
    await setAgentTier(s.ctx, agent.id, 'STANDARD')
    const tx = await n.send(agent.wallet.key, n.usdc, 'transfer', [deposit, 300n * USD])
    assert.equal(
      (await agent.api.post('/agents/deposit/usdc', { tx_hash: tx, chain: 'base' })).body.status,
      'CONFIRMED',
    )
    const stranger = await n.newAccount()
    await n.mint(n.usdc, stranger.address, 8n * USD)
    await n.send(stranger.key, n.usdc, 'transfer', [deposit, 7n * USD])
    const op = await fundedOperator(s, 200, agent)
    const to = (await n.newAccount()).address
    const p = await op.api.post('/operator/payout', payoutBody(50, { wallet_address: to }))
    assert.equal(p.status, 201, p.text)
    await s.runJobs()
    await runWatcher(s)
    assert.equal(await n.balanceOf(n.usdc, to), 50n * USD)
    // Not read by the watcher yet: counted as in flight.
    await n.send(stranger.key, n.usdc, 'transfer', [deposit, USD])

    const env = {
      ...dbEnv(s.db),
      HUMCLI_CHAIN_RPC_URL: n.rpcUrl,
      HUMCLI_CHAIN_ID: String(ANVIL_CHAIN_ID),
      HUMCLI_USDC_CONTRACT: getAddress(n.usdc),
      HUMCLI_DEPOSIT_ADDRESS: deposit,
      HUMCLI_CHAIN_CONFIRMATIONS: '1',
    }
    const status = await runHumcli(
      ['admin', 'chain-status', '--json', '--payout-key-file', hotFile],
      env,
      90_000,
    )
    assert.equal(status.code, 0, status.stderr + status.stdout)
    const r = JSON.parse(status.stdout)
    assert.equal(r.hot_wallet, hot.address)
    assert.equal(r.hot_usdc_micros, String(450n * USD))
    assert.ok(BigInt(r.hot_gas_wei) > 0n && BigInt(r.hot_gas_wei) < 10n * 10n ** 18n, 'gas was spent')
    assert.equal(r.deposit_usdc_micros, String(308n * USD))
    assert.equal(r.watcher.lag_blocks, '1', 'one block since the watcher last ran')
    assert.deepEqual(r.reconciliation, {
      on_chain_micros: String(758n * USD),
      opening_micros: String(500n * USD),
      ledger_external_chain_micros: String(-250n * USD),
      unattributed_micros: String(7n * USD),
      pending_deposits_micros: '0',
      unread_micros: String(USD),
      mined_unsettled_payouts_micros: '0',
      expected_micros: String(758n * USD),
      difference_micros: '0',
      ok: true,
    })
    const text = await runHumcli(['admin', 'chain-status', '--payout-key-file', hotFile], env, 90_000)
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /hot wallet 0x[0-9a-fA-F]{40}: \$450 USDC/)
    assert.match(text.stdout, /reconciliation OK/)

    // USDC the ledger knows nothing of: straight into the hot wallet.
    await n.mint(n.usdc, hot.address, 2n * USD)
    const planted = await runHumcli(['admin', 'chain-status', '--payout-key-file', hotFile], env, 90_000)
    assert.equal(planted.code, 1, planted.stdout)
    assert.match(planted.stderr, /reconciliation FAILED: on chain differs from the ledger by \$2 USDC/)

    const dev = await runHumcli(['admin', 'chain-status'], dbEnv(s.db), 90_000)
    assert.equal(dev.code, EXIT.CONFLICT, dev.stderr)
    assert.match(dev.stderr, /uses the development chain: set HUMCLI_CHAIN_RPC_URL/)
  })
})
