import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { scheduleWatcher } from '../../src/payments/watch-deposits.ts'
import { client } from '../helpers/api.ts'
import { newAdmin, newOperator } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'
import { newStaff } from '../helpers/staff.ts'
import { useAnvil } from './anvil.ts'
import { agentWithWallet, availableMicros, type ChainAgent, chainOverrides, runWatcher } from './fixtures.ts'

const USD = 1_000_000n
const node = useAnvil()

/** Deposits verified on a real EVM node (anvil), 3 confirmations, the watcher running beside. */
forEachDialect('USDC deposits on a real chain', (dialect) => {
  let deposit: `0x${string}`
  let running: TestServer | undefined
  const server = () => running!
  before(async () => {
    deposit = (await node().newAccount()).address
    running = await startTestServer(dialect, chainOverrides(node(), deposit, { confirmations: 3 }))
    await running.ctx.chain.check!()
    await scheduleWatcher(running.ctx)
    await running.runJobs() // the first run places the cursor at the current block
  })
  after(() => running?.close())
  const report = (agent: ChainAgent, tx: string, amount?: number) =>
    agent.api.post('/agents/deposit/usdc', {
      tx_hash: tx,
      chain: 'base',
      ...(amount === undefined ? {} : { amount_usdc: amount }),
    })

  test('a good transfer is pending until 3 confirmations, then credited once (report then watcher)', async () => {
    const s = server()
    const agent = await agentWithWallet(s, node(), 100n * USD)
    const tx = await node().send(agent.wallet.key, node().usdc, 'transfer', [deposit, 25n * USD])
    const r = await report(agent, tx, 25)
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.status, 'PENDING_CONFIRMATION')
    assert.equal(r.body.amount_usdc, 25)
    assert.equal(await availableMicros(s, agent.id), 0n)
    await node().mine(1)
    await runWatcher(s)
    assert.equal(await availableMicros(s, agent.id), 0n, '2 confirmations are not enough')
    await node().mine(1)
    await runWatcher(s)
    assert.equal(await availableMicros(s, agent.id), 25n * USD)
    await runWatcher(s)
    assert.equal((await report(agent, tx)).status, 409)
    assert.equal(await availableMicros(s, agent.id), 25n * USD)
  })

  test('the report and the watcher racing over a confirmed transfer credit it exactly once', async () => {
    const s = server()
    const agent = await agentWithWallet(s, node(), 100n * USD)
    const tx = await node().send(agent.wallet.key, node().usdc, 'transfer', [deposit, 40n * USD])
    await node().mine(2)
    const [r] = await Promise.all([report(agent, tx), runWatcher(s)])
    assert.ok([201, 409].includes(r.status), r.text)
    await runWatcher(s)
    assert.equal(await availableMicros(s, agent.id), 40n * USD)
    const rows = await s.ctx.store.db.selectFrom('deposits').selectAll().where('tx_hash', '=', tx).execute()
    assert.deepEqual(
      rows.map((d) => d.status),
      ['CONFIRMED'],
    )
  })

  test('refused: wrong token, wrong sender, wrong recipient, reverted, no Transfer; the amount is compared', async () => {
    const s = server()
    const n = node()
    const agent = await agentWithWallet(s, n, 100n * USD)
    await n.mint(n.otherToken, agent.wallet.address, 50n * USD)
    const cases: [string, () => Promise<`0x${string}`>, RegExp][] = [
      ['wrong token', () => n.send(agent.wallet.key, n.otherToken, 'transfer', [deposit, USD]), /not USDC/],
      [
        'wrong recipient',
        () => n.send(agent.wallet.key, n.usdc, 'transfer', [agent.wallet.address, USD]),
        /not to the deposit address/,
      ],
      [
        'reverted',
        () => n.send(agent.wallet.key, n.usdc, 'transfer', [deposit, 10_000n * USD], 100_000n),
        /reverted/,
      ],
      ['no Transfer', () => n.send(agent.wallet.key, n.usdc, 'approve', [deposit, USD]), /no Transfer log/],
    ]
    for (const [name, sent, error] of cases) {
      const r = await report(agent, await sent())
      assert.equal(r.status, 400, `${name}: ${r.text}`)
      assert.match(r.body.error, error, name)
    }
    const stranger = await n.newAccount()
    await n.mint(n.usdc, stranger.address, 10n * USD)
    const fromStranger = await n.send(stranger.key, n.usdc, 'transfer', [deposit, 7n * USD])
    const wrongSender = await report(agent, fromStranger)
    assert.equal(wrongSender.status, 400)
    assert.match(wrongSender.body.error, /not from your bound wallet/)
    const good = await n.send(agent.wallet.key, n.usdc, 'transfer', [deposit, 5n * USD])
    const mismatch = await report(agent, good, 6)
    assert.equal(mismatch.status, 400)
    assert.match(mismatch.body.error, /`amount_usdc` is 6 but .* moved 5 USDC/)
    assert.match((await report(agent, `0x${'ee'.repeat(32)}`)).text, /not mined/)
    await n.mine(2)
    await runWatcher(s)
    assert.equal(await availableMicros(s, agent.id), 5n * USD, 'only the good transfer is credited')
    const unattributed = await s.ctx.store.db
      .selectFrom('unattributed_transfers')
      .selectAll()
      .where('tx_hash', '=', fromStranger)
      .execute()
    assert.equal(unattributed.length, 1, 'a transfer from an unbound wallet is kept for staff')
    assert.equal(unattributed[0]!.amount_micros, 7n * USD)
  })

  test('staff list unattributed transfers: admins only; reviewers, operators, agents and anonymous are refused', async () => {
    const s = server()
    const n = node()
    const stranger = await n.newAccount()
    await n.mint(n.usdc, stranger.address, 10n * USD)
    const tx = await n.send(stranger.key, n.usdc, 'transfer', [deposit, 3_250_000n])
    await n.mine(2)
    await runWatcher(s)
    const admin = await newAdmin(s)
    const list = await admin.api.get('/admin/deposits/unattributed?limit=100')
    assert.equal(list.status, 200, list.text)
    const row = list.body.data.find((t: { tx_hash: string }) => t.tx_hash === tx)
    assert.deepEqual(
      { ...row, block_number: typeof row.block_number, seen_at: typeof row.seen_at },
      {
        chain: 'base',
        tx_hash: tx,
        log_index: 0,
        from_address: stranger.address,
        amount_usd: 3.25,
        block_number: 'number',
        seen_at: 'string',
      },
    )
    assert.equal(list.body.pagination.total, list.body.data.length)
    assert.ok(list.body.pagination.total >= 2, 'the earlier stranger transfer is listed too')
    const reviewer = await newStaff(s, 'reviewer')
    const refusedReviewer = await reviewer.api.get('/admin/deposits/unattributed')
    assert.equal(refusedReviewer.status, 403)
    assert.match(refusedReviewer.body.error, /needs the admin role/)
    const agent = await agentWithWallet(s, n)
    assert.equal((await agent.api.get('/admin/deposits/unattributed')).status, 403)
    const op = await newOperator(s)
    assert.equal((await client(s.url, { token: op.token }).get('/admin/deposits/unattributed')).status, 403)
    assert.equal((await client(s.url).get('/admin/deposits/unattributed')).status, 401)
    const doc = (await client(s.url).get('/openapi.json')).body
    assert.equal(
      doc.paths['/api/v1/admin/deposits/unattributed'].get.operationId,
      'adminListUnattributedTransfers',
    )
  })

  test('two Transfers in one transaction are two deposits, each credited once', async () => {
    const s = server()
    const agent = await agentWithWallet(s, node(), 100n * USD)
    const tx = await node().send(agent.wallet.key, node().usdc, 'transferMany', [
      [deposit, deposit],
      [3n * USD, 4n * USD],
    ])
    const r = await report(agent, tx, 7)
    assert.equal(r.status, 201, r.text)
    assert.equal(r.body.deposits.length, 2)
    await node().mine(2)
    await runWatcher(s)
    await runWatcher(s)
    assert.equal(await availableMicros(s, agent.id), 7n * USD)
  })

  test('the same transaction reported 20 times at once is credited once; the others get 409', async () => {
    const s = server()
    const agent = await agentWithWallet(s, node(), 100n * USD)
    const tx = await node().send(agent.wallet.key, node().usdc, 'transfer', [deposit, 9n * USD])
    await node().mine(2)
    const replies = await Promise.all(Array.from({ length: 20 }, () => report(agent, tx)))
    const codes = replies.map((r) => r.status).sort()
    assert.deepEqual(codes, [201, ...Array(19).fill(409)], JSON.stringify(replies.map((r) => r.text)))
    await runWatcher(s)
    assert.equal(await availableMicros(s, agent.id), 9n * USD)
  })

  test('a reorg before the confirmations: the deposit is REORGED, never credited', async () => {
    const s = server()
    const agent = await agentWithWallet(s, node(), 100n * USD)
    const snap = await node().snapshot()
    const tx = await node().send(agent.wallet.key, node().usdc, 'transfer', [deposit, 11n * USD])
    const r = await report(agent, tx)
    assert.equal(r.body.status, 'PENDING_CONFIRMATION', r.text)
    await node().revert(snap) // the block with the transfer is gone
    await node().mine(4)
    await runWatcher(s)
    await runWatcher(s)
    const row = await s.ctx.store.db
      .selectFrom('deposits')
      .selectAll()
      .where('tx_hash', '=', tx)
      .executeTakeFirstOrThrow()
    assert.equal(row.status, 'REORGED')
    assert.equal(await availableMicros(s, agent.id), 0n)
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })
})
