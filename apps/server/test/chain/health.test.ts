import assert from 'node:assert/strict'
import net from 'node:net'
import { test } from 'node:test'
import { scheduleWatcher } from '../../src/payments/watch-deposits.ts'
import { forEachDialect, startTestServer } from '../helpers/harness.ts'
import { newStaff } from '../helpers/staff.ts'
import { ANVIL_CHAIN_ID, useAnvil } from './anvil.ts'
import { chainOverrides, runWatcher } from './fixtures.ts'
import { payoutServer } from './payout-fixtures.ts'

const node = useAnvil()

/** A TCP server that accepts connections and never answers: a node that hangs. */
async function silentNode(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const srv = net.createServer((socket) => sockets.add(socket))
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as net.AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/v2/secret-provider-key`,
    close: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise((r) => srv.close(() => r()))
    },
  }
}

forEachDialect('the chain on GET /admin/health', (dialect) => {
  test("the hot wallet's USDC and gas, the deposit address, the watcher's cursor and lag", {
    timeout: 300_000,
  }, async (t) => {
    const n = node()
    const { s, hot, deposit } = await payoutServer(n, dialect, { hotUsdc: 123_450_000n })
    t.after(() => s.close())
    const staff = await newStaff(s)
    const before = (await staff.api.get('/admin/health')).body
    assert.equal(before.chain.watcher, null, 'the watcher has not run')
    await scheduleWatcher(s.ctx)
    await s.runJobs()
    await n.mine(4)
    const r = await staff.api.get('/admin/health')
    assert.equal(r.status, 200, r.text)
    const c = r.body.chain
    const latest = Number(await n.public.getBlockNumber())
    assert.deepEqual(
      { ...c, watcher: { ...c.watcher, updated_at: typeof c.watcher.updated_at } },
      {
        chain_id: ANVIL_CHAIN_ID,
        rpc: 'ok',
        rpc_error: null,
        block_number: latest,
        deposit_address: deposit,
        deposit_usdc: 300,
        hot_wallet: hot.address,
        hot_usdc: 123.45,
        hot_gas_wei: String(await n.public.getBalance({ address: hot.address })),
        watcher: { next_block: latest - 3, lag_blocks: 4, updated_at: 'string' },
      },
    )
    await runWatcher(s)
    const after = (await staff.api.get('/admin/health')).body.chain
    assert.equal(
      after.watcher.lag_blocks,
      0,
      'caught up: with 1 confirmation there is no unconfirmed tail to read again',
    )
    assert.equal(r.body.payouts_waiting, 0)
  })

  test('a node that is down or hangs: the page still answers, within its budget, and says unreachable', {
    timeout: 300_000,
  }, async (t) => {
    const silent = await silentNode()
    t.after(() => silent.close())
    for (const rpcUrl of ['http://127.0.0.1:9', silent.url]) {
      const base = chainOverrides(node(), (await node().newAccount()).address)
      const s = await startTestServer(dialect, { ...base, chain: { ...base.chain!, rpcUrl } })
      try {
        const staff = await newStaff(s)
        const started = Date.now()
        const r = await staff.api.get('/admin/health')
        const took = Date.now() - started
        assert.equal(r.status, 200, r.text)
        assert.ok(took < 6_000, `answered in ${took} ms`)
        const c = r.body.chain
        assert.equal(c.rpc, 'unreachable', rpcUrl)
        assert.equal(c.block_number, null)
        assert.equal(c.hot_usdc, null)
        assert.equal(c.watcher, null)
        assert.ok(c.rpc_error.length > 0)
        assert.doesNotMatch(r.text, /secret-provider-key/, 'the RPC URL (and its key) is not shown')
        assert.equal(r.body.ledger.ok, true, 'the rest of the page is there')
      } finally {
        await s.close()
      }
    }
  })
})
