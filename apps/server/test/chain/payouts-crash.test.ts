import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { type Address, getAddress } from 'viem'
import { EXIT } from '../../src/cli/exit-codes.ts'
import type { FaultPoint } from '../../src/faults.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'
import type { OperatorFixture } from '../helpers/fixtures.ts'
import {
  dbEnv,
  forEachDialect,
  HUMCLI_BIN,
  humcliEnv,
  runHumcli,
  type TestServer,
} from '../helpers/harness.ts'
import { fundedOperator } from '../payouts/fixtures.ts'
import { ANVIL_CHAIN_ID, type Anvil, useAnvil } from './anvil.ts'
import { keyFile } from './fixtures.ts'
import { assertPaidOnce, loggedIn, payoutRow, payoutServer, requestPayout, USD } from './payout-fixtures.ts'

/** A claimed job's lock (jobs/claim.ts): past it, a job whose worker died is taken over. */
const LOCK_MS = 5 * 60_000
const node = useAnvil()

interface Setup {
  s: TestServer
  hot: Awaited<ReturnType<Anvil['newAccount']>>
  env: Record<string, string>
  op: OperatorFixture
}

/** A server on the anvil node with a funded hot wallet (key in a file), and an operator holding $200. */
async function setup(dialect: 'sqlite' | 'postgres'): Promise<Setup> {
  const n = node()
  const { s, hot, hotFile, deposit, agent } = await payoutServer(n, dialect)
  const funded = await fundedOperator(s, 200, agent)
  s.clock.set(new Date()) // the worker children run on the system clock
  const op = await loggedIn(s, funded)
  const env = {
    ...dbEnv(s.db),
    LOG_LEVEL: 'error',
    HUMCLI_CHAIN_RPC_URL: n.rpcUrl,
    HUMCLI_CHAIN_ID: String(ANVIL_CHAIN_ID),
    HUMCLI_USDC_CONTRACT: getAddress(n.usdc),
    HUMCLI_DEPOSIT_ADDRESS: deposit,
    HUMCLI_CHAIN_CONFIRMATIONS: '1',
    HUMCLI_CHAIN_POLL_MS: '1000',
    HUMCLI_CHAIN_MAX_FEE_GWEI: '100',
    HUMCLI_PAYOUT_KEY_FILE: hotFile,
  }
  return { s, hot, env, op }
}

/** Runs `humcli worker` for payouts until it kills itself at `point`; returns when it has died. */
async function crashWorker(env: Record<string, string>, point: FaultPoint): Promise<Date> {
  const started = Date.now()
  const r = await runHumcli(
    ['worker', '--kinds', 'payouts.send'],
    { ...env, HUMCLI_FAULT_CRASH_AT: point },
    150_000,
  )
  const how = Date.now() - started >= 150_000 ? 'ran until the test killed it' : `exit ${r.code}`
  assert.equal(
    r.signal,
    'SIGKILL',
    `the worker was to die at ${point}, but it ${how}:\n${r.stdout}\n${r.stderr}`,
  )
  assert.ok(Date.now() - started < 150_000, `the worker never reached ${point} (is dist/ built?)`)
  return new Date()
}

const nonceOf = async (who: Address) => BigInt(await node().public.getTransactionCount({ address: who }))

/** The restart: a process that finds the dead worker's job once its lock has expired. */
async function recover(s: TestServer, crashedAt: Date, ids: string[]): Promise<void> {
  s.clock.set(new Date(crashedAt.getTime() + LOCK_MS + 1_000))
  for (let i = 0; i < 10; i++) {
    await s.runJobs()
    const rows = await Promise.all(ids.map((id) => payoutRow(s, id)))
    if (rows.every((r) => r.status !== 'PENDING_ONCHAIN')) return
    s.clock.advance(s.ctx.config.chain!.pollMs)
  }
  assert.fail('the payouts did not settle after the restart')
}

forEachDialect('payouts across a crash, on a real chain', (dialect) => {
  test('killed after signing, after broadcasting (unrecorded), after recording: each payout is paid once', {
    timeout: 600_000,
  }, async (t) => {
    const { s, hot, env, op } = await setup(dialect)
    t.after(() => s.close())
    const cases: { point: FaultPoint; usd: number; onChainBeforeRestart: boolean }[] = [
      { point: 'payout.signed', usd: 11, onChainBeforeRestart: false },
      { point: 'payout.broadcast', usd: 12, onChainBeforeRestart: true },
      { point: 'payout.recorded', usd: 13, onChainBeforeRestart: true },
    ]
    for (const c of cases) {
      const nonceBefore = await nonceOf(hot.address)
      const p = await requestPayout(node(), op, c.usd)
      const crashedAt = await crashWorker(env, c.point)
      const dead = await payoutRow(s, p.id)
      assert.equal(dead.status, 'PENDING_ONCHAIN', c.point)
      assert.ok(
        dead.signed_tx && dead.tx_hash && dead.nonce === nonceBefore,
        `${c.point}: signed and stored first`,
      )
      assert.equal(
        dead.broadcast_at === null,
        c.point !== 'payout.recorded',
        `${c.point}: broadcast recorded`,
      )
      const paid = await node().balanceOf(node().usdc, p.to)
      assert.equal(
        paid,
        c.onChainBeforeRestart ? BigInt(c.usd) * USD : 0n,
        `${c.point}: on chain before restart`,
      )

      await recover(s, crashedAt, [p.id])
      await assertPaidOnce(node(), s, p.id, p.to, BigInt(c.usd))
      assert.equal((await payoutRow(s, p.id)).tx_hash, dead.tx_hash, `${c.point}: the same signed bytes`)
      assert.equal(await nonceOf(hot.address), nonceBefore + 1n, `${c.point}: one transaction on chain`)
      s.clock.set(new Date())
    }
    const list = await op.api.get('/operator/payouts')
    assert.equal(list.status, 200, list.text)
    assert.deepEqual(
      list.body.data.map((p: { status: string }) => p.status),
      ['CONFIRMED', 'CONFIRMED', 'CONFIRMED'],
    )
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })

  test('nonces across a restart: a payout signed by the dead worker keeps its nonce, the next one takes the following', {
    timeout: 600_000,
  }, async (t) => {
    const { s, hot, env, op } = await setup(dialect)
    t.after(() => s.close())
    const nonceBefore = await nonceOf(hot.address)
    const first = await requestPayout(node(), op, 20)
    const crashedAt = await crashWorker(env, 'payout.signed')
    assert.equal((await payoutRow(s, first.id)).nonce, nonceBefore)

    // Another process sends the next payout while the dead worker's job is still locked.
    s.clock.set(crashedAt)
    const second = await requestPayout(node(), op, 21)
    await s.runJobs()
    const pending = await payoutRow(s, second.id)
    assert.equal(
      pending.nonce,
      nonceBefore + 1n,
      'the database hands out the next nonce, not the chain count',
    )
    assert.ok(pending.broadcast_at, 'sent to the node')
    assert.equal(pending.status, 'PENDING_ONCHAIN', 'it waits behind the unsent nonce')
    assert.equal(await node().balanceOf(node().usdc, second.to), 0n)
    assert.equal((await payoutRow(s, first.id)).status, 'PENDING_ONCHAIN')

    await recover(s, crashedAt, [first.id, second.id])
    await assertPaidOnce(node(), s, first.id, first.to, 20n)
    await assertPaidOnce(node(), s, second.id, second.to, 21n)
    assert.equal(await nonceOf(hot.address), nonceBefore + 2n, 'two transactions, two nonces')
    assert.deepEqual((await ledgerCheck(s.ctx.store.db)).problems, [])
  })
})

/** Every way the key could be printed: with or without 0x, in either case. */
function assertNoKey(text: string, key: string, where: string) {
  const hex = key.replace(/^0x/, '')
  for (const form of [hex, hex.toUpperCase(), hex.slice(0, 32), hex.slice(32)]) {
    assert.ok(!text.toLowerCase().includes(form.toLowerCase()), `${where} shows (part of) the private key`)
  }
}

forEachDialect('the hot wallet key from --payout-key-file', (dialect) => {
  test('a payout goes out with the key from the file; the key is in no log line at trace level', {
    timeout: 600_000,
  }, async (t) => {
    const { s, hot, env, op } = await setup(dialect)
    t.after(() => s.close())
    const file = env.HUMCLI_PAYOUT_KEY_FILE!
    const { HUMCLI_PAYOUT_KEY_FILE: _named, ...rest } = env
    const p = await requestPayout(node(), op, 15)
    const child = spawn(
      process.execPath,
      [HUMCLI_BIN, 'worker', '--kinds', 'payouts.send', '--payout-key-file', file],
      {
        env: humcliEnv({ ...rest, LOG_LEVEL: 'trace' }),
      },
    )
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const exited = new Promise((r) => child.once('exit', r))
    const deadline = Date.now() + 120_000
    while ((await payoutRow(s, p.id)).status === 'PENDING_ONCHAIN' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200))
    }
    child.kill('SIGTERM')
    await exited
    await assertPaidOnce(node(), s, p.id, p.to, 15n)
    const sent = await node().public.getTransaction({
      hash: (await payoutRow(s, p.id)).tx_hash as `0x${string}`,
    })
    assert.equal(sent.from.toLowerCase(), hot.address.toLowerCase(), 'signed by the key in the file')
    assert.match(output, /humcli worker running/)
    const tx = (await payoutRow(s, p.id)).tx_hash!
    assert.match(output, new RegExp(`"tx":"${tx}".*"msg":"payout sent to the chain"`), 'the send is logged')
    assert.match(output, /"msg":"payout confirmed"/)
    assertNoKey(output, hot.key, 'the worker output')
  })

  test('a bad key file stops serve with a sentence naming the setting, never quoting the file', {
    timeout: 300_000,
  }, async () => {
    const n = node()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-badkey-'))
    const base = {
      HUMCLI_DATA_DIR: dir,
      PORT: '0',
      LOG_LEVEL: 'trace',
      HUMCLI_WORKERS: 'off',
      HUMCLI_CHAIN_RPC_URL: n.rpcUrl,
      HUMCLI_CHAIN_ID: String(ANVIL_CHAIN_ID),
      HUMCLI_USDC_CONTRACT: getAddress(n.usdc),
      HUMCLI_DEPOSIT_ADDRESS: '0x52908400098527886E0F7030069857D2E4169EE7',
    }
    // 63 hex digits: one short of a key, every one of them secret.
    const almost = `0x${'5ec7e7'.repeat(10)}abc`
    const shortFile = keyFile(dir, almost)
    const cases: [string[], Record<string, string>, RegExp][] = [
      [
        ['--payout-key-file', shortFile],
        {},
        /The hot wallet key in the file HUMCLI_PAYOUT_KEY_FILE names .* must be 32 bytes in hex/,
      ],
      [
        ['--payout-key-file', path.join(dir, 'missing')],
        {},
        /HUMCLI_PAYOUT_KEY_FILE \(.*missing\) cannot be read \(ENOENT\)/,
      ],
      [
        [],
        { HUMCLI_PAYOUT_KEY_ENV: 'HOT_KEY', HOT_KEY: almost },
        /HOT_KEY \(named by HUMCLI_PAYOUT_KEY_ENV\) must be 32 bytes/,
      ],
      [
        ['--payout-key-file', shortFile],
        { HUMCLI_CHAIN_RPC_URL: '' },
        /HUMCLI_PAYOUT_KEY_FILE \(--payout-key-file\) is set but HUMCLI_CHAIN_RPC_URL is not/,
      ],
    ]
    for (const [args, over, error] of cases) {
      const r = await runHumcli(['serve', ...args], { ...base, ...over }, 90_000)
      assert.equal(r.signal, null, `serve did not stop by itself: ${r.stderr}`)
      assert.equal(r.code, EXIT.CONFIG, r.stderr)
      assert.match(r.stderr, error)
      assertNoKey(r.stdout + r.stderr, `${almost}0`, `serve ${args.join(' ')}`)
    }
  })
})
