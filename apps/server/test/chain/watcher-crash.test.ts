import assert from 'node:assert/strict'
import { test } from 'node:test'
import { getAddress, type Hash } from 'viem'
import type { FaultPoint } from '../../src/faults.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { CURSOR_NAME } from '../../src/payments/watch-deposits.ts'
import { dbEnv, forEachDialect, runHumcli, startTestServer, type TestServer } from '../helpers/harness.ts'
import { ANVIL_CHAIN_ID, useAnvil } from './anvil.ts'
import { agentWithWallet, availableMicros, chainOverrides, runWatcher } from './fixtures.ts'

const USD = 1_000_000n
/** A claimed job's lock (jobs/claim.ts): past it, a job whose worker died is taken over. */
const LOCK_MS = 5 * 60_000
const CONFIRMATIONS = 3
const SCAN_BLOCKS = 2
const node = useAnvil()

/** Runs `humcli worker` for the watcher until it kills itself at `point`. */
async function crashWatcher(env: Record<string, string>, point: string): Promise<Date> {
  const started = Date.now()
  const r = await runHumcli(
    ['worker', '--kinds', 'chain.watch'],
    { ...env, HUMCLI_FAULT_CRASH_AT: point },
    150_000,
  )
  assert.ok(
    Date.now() - started < 150_000,
    `the watcher never reached ${point} (is dist/ built?)\n${r.stderr}`,
  )
  assert.equal(
    r.signal,
    'SIGKILL',
    `the watcher was to die at ${point}: exit ${r.code}\n${r.stdout}\n${r.stderr}`,
  )
  return new Date()
}

const cursor = async (s: TestServer) =>
  (
    await s.ctx.store.db
      .selectFrom('chain_cursors')
      .select('next_block')
      .where('name', '=', CURSOR_NAME)
      .executeTakeFirstOrThrow()
  ).next_block

const depositsOf = (s: TestServer, agentId: string) =>
  s.ctx.store.db
    .selectFrom('deposits')
    .selectAll()
    .where('agent_id', '=', agentId)
    .orderBy('block_number')
    .execute()

const unattributed = (s: TestServer) =>
  s.ctx.store.db.selectFrom('unattributed_transfers').selectAll().orderBy('block_number').execute()

interface Sent {
  hash: Hash
  block: bigint
  usd: bigint
  bound: boolean
}

/**
 * What the database must hold when the cursor is at `next`: every transfer in a block before it,
 * once; none after it that is unattributed (a bound wallet's may be recorded ahead, within the range).
 */
async function assertConsistent(s: TestServer, agentId: string, sent: Sent[], next: bigint, label: string) {
  const deposits = await depositsOf(s, agentId)
  const keys = deposits.map((d) => `${d.tx_hash}:${d.log_index}`)
  assert.equal(new Set(keys).size, keys.length, `${label}: no transfer recorded twice`)
  for (const t of sent.filter((x) => x.block < next && x.bound)) {
    assert.ok(
      deposits.some((d) => d.tx_hash === t.hash && d.status === 'CONFIRMED'),
      `${label}: ${t.hash} in block ${t.block} is credited`,
    )
  }
  const credited = deposits.filter((d) => d.status === 'CONFIRMED').reduce((a, d) => a + d.amount_micros, 0n)
  assert.equal(
    await availableMicros(s, agentId),
    credited,
    `${label}: the ledger credits what is CONFIRMED, once`,
  )
  const strangers = await unattributed(s)
  assert.deepEqual(
    strangers.map((u) => u.tx_hash),
    sent.filter((x) => !x.bound && x.block < next).map((x) => x.hash.toLowerCase()),
    `${label}: unattributed transfers before the cursor, each once`,
  )
}

forEachDialect('the deposit watcher across crashes and a reorg, on a real chain', (dialect) => {
  test('killed mid-range and after a range: resumed from its cursor, nothing missed, nothing doubled; a reorged tail is never credited', {
    timeout: 600_000,
  }, async (t) => {
    const n = node()
    const deposit = (await n.newAccount()).address
    const s = await startTestServer(
      dialect,
      chainOverrides(n, deposit, { confirmations: CONFIRMATIONS, scanBlocks: SCAN_BLOCKS }),
    )
    t.after(() => s.close())
    s.clock.set(new Date()) // the worker children run on the system clock
    const agent = await agentWithWallet(s, n, 100n * USD) // binding and minting mine blocks too
    const stranger = await n.newAccount()
    await n.mint(n.usdc, stranger.address, 100n * USD)

    const sent: Sent[] = []
    const transfer = async (bound: boolean, usd: bigint) => {
      const hash = await n.send(bound ? agent.wallet.key : stranger.key, n.usdc, 'transfer', [
        deposit,
        usd * USD,
      ])
      const receipt = await n.public.getTransactionReceipt({ hash })
      sent.push({ hash, block: receipt.blockNumber, usd, bound })
    }
    for (const [bound, usd] of [
      [true, 1n],
      [false, 7n],
      [true, 2n],
      [true, 3n],
      [false, 8n],
      [true, 4n],
      [true, 5n],
      [true, 6n],
    ] as const) {
      await transfer(bound, usd)
    }
    await n.mine(CONFIRMATIONS)
    // The first worker places the cursor at the first transfer's block (HUMCLI_CHAIN_START_BLOCK).
    const startBlock = sent[0]!.block
    const env = {
      ...dbEnv(s.db),
      LOG_LEVEL: 'error',
      HUMCLI_CHAIN_RPC_URL: n.rpcUrl,
      HUMCLI_CHAIN_ID: String(ANVIL_CHAIN_ID),
      HUMCLI_USDC_CONTRACT: getAddress(n.usdc),
      HUMCLI_DEPOSIT_ADDRESS: deposit,
      HUMCLI_CHAIN_CONFIRMATIONS: String(CONFIRMATIONS),
      HUMCLI_CHAIN_SCAN_BLOCKS: String(SCAN_BLOCKS),
      HUMCLI_CHAIN_START_BLOCK: String(startBlock),
      HUMCLI_CHAIN_POLL_MS: '200',
    }
    // 1. Killed inside its second range's transaction: that range's writes are rolled back.
    await crashWatcher(env, 'watch.recorded:2' satisfies `${FaultPoint}:${number}`)
    assert.equal(
      await cursor(s),
      startBlock + BigInt(SCAN_BLOCKS),
      'the first range committed, the second not',
    )
    await assertConsistent(s, agent.id, sent, await cursor(s), 'after the mid-range kill')

    // 2. Another worker takes the dead one's job over and dies after committing two ranges.
    const crashedAt = await crashWatcher(env, 'watch.range:2' satisfies `${FaultPoint}:${number}`)
    assert.equal(await cursor(s), startBlock + 3n * BigInt(SCAN_BLOCKS), 'resumed from the cursor')
    await assertConsistent(s, agent.id, sent, await cursor(s), 'after the second kill')

    // 3. A restart finishes the scan: every transfer once, none lost.
    s.clock.set(new Date(crashedAt.getTime() + LOCK_MS + 1_000))
    await s.runJobs()
    await runWatcher(s)
    const tip = await n.public.getBlockNumber()
    assert.equal(
      await cursor(s),
      tip - BigInt(CONFIRMATIONS) + 2n,
      'the cursor waits before the unconfirmed tail',
    )
    await assertConsistent(s, agent.id, sent, await cursor(s), 'after the restart')
    assert.equal(await availableMicros(s, agent.id), 21n * USD)
    assert.equal((await unattributed(s)).length, 2)

    // 4. The unconfirmed tail is reorganised away: never credited, never listed as received.
    const snap = await n.snapshot()
    await transfer(true, 9n)
    await transfer(false, 10n)
    const [reorged, strangerReorged] = sent.slice(-2) as [Sent, Sent]
    const raw = await n.public.request({
      method: 'eth_getRawTransactionByHash' as never,
      params: [reorged.hash] as never,
    })
    await runWatcher(s)
    const seen = (await depositsOf(s, agent.id)).find((d) => d.tx_hash === reorged.hash)
    assert.equal(seen?.status, 'PENDING_CONFIRMATION', 'the watcher saw it in the unconfirmed tail')
    assert.equal(await availableMicros(s, agent.id), 21n * USD)
    await n.revert(snap)
    await n.mine(CONFIRMATIONS + 1)
    await runWatcher(s)
    await runWatcher(s)
    const gone = (await depositsOf(s, agent.id)).find((d) => d.tx_hash === reorged.hash)
    assert.equal(gone?.status, 'REORGED')
    assert.equal(await availableMicros(s, agent.id), 21n * USD, 'a reorged transfer is never credited')
    assert.ok(
      !(await unattributed(s)).some((u) => u.tx_hash === strangerReorged.hash.toLowerCase()),
      'a reorged transfer from an unbound wallet is never listed as received',
    )

    // 5. The same signed transfer mined again in a new block: credited then, once.
    await n.public.request({ method: 'eth_sendRawTransaction', params: [raw as `0x${string}`] })
    await n.mine(CONFIRMATIONS)
    await runWatcher(s)
    await runWatcher(s)
    const back = (await depositsOf(s, agent.id)).filter((d) => d.tx_hash === reorged.hash)
    assert.deepEqual(
      back.map((d) => d.status),
      ['CONFIRMED'],
    )
    assert.equal(await availableMicros(s, agent.id), 30n * USD)
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })
})
