import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { EXIT } from '../../src/cli/exit-codes.ts'
import { scheduleWatcher } from '../../src/payments/watch-deposits.ts'
import { assertFails, assertOk, lines, tempHome } from '../helpers/cli.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, runHumcli, startTestServer, type TestServer } from '../helpers/harness.ts'
import { useAnvil } from './anvil.ts'
import { availableMicros, chainOverrides, keyFile, runWatcher } from './fixtures.ts'

const USD = 1_000_000n
const node = useAnvil()

/** Every way a key could show: with or without 0x, either case, either half. */
function assertNoKey(text: string, key: string) {
  const hex = key.replace(/^0x/, '').toLowerCase()
  for (const part of [hex, hex.slice(0, 32), hex.slice(32)]) {
    assert.ok(!text.toLowerCase().includes(part), 'the output shows (part of) the private key')
  }
}

/** Mines a block and runs the watcher until `done` settles: the chain moving on while the CLI waits. */
async function advanceUntil(s: TestServer, done: Promise<unknown>): Promise<void> {
  let finished = false
  void done.finally(() => (finished = true))
  while (!finished) {
    await new Promise((r) => setTimeout(r, 700))
    if (finished) return
    await node().mine(1)
    await runWatcher(s)
  }
}

/** The agent's CLI on a real chain: `wallet bind` and `deposit` sign with the key in a file. */
forEachDialect('humcli wallet bind / deposit --private-key-file on a real chain', (dialect) => {
  let running: TestServer | undefined
  let deposit: `0x${string}`
  const home = tempHome()
  const server = () => running!
  before(async () => {
    deposit = (await node().newAccount()).address
    running = await startTestServer(dialect, chainOverrides(node(), deposit, { confirmations: 3 }))
    await scheduleWatcher(running.ctx)
    await running.runJobs()
  })
  after(async () => {
    await running?.close()
    home.drop()
  })

  async function agentCli() {
    const agent = await newAgent(server())
    const wallet = await node().newAccount()
    const file = keyFile(home.home, wallet.key)
    const env = { HOME: home.home, HUMCLI_API_URL: server().url, HUMCLI_API_KEY: agent.key }
    const humcli = (...args: string[]) => runHumcli(args, env, 120_000)
    return { agent, wallet, file, env, humcli }
  }

  test('bind signs the challenge locally; deposit sends, reports and waits: pending 1, 2 of 3 → credited', {
    timeout: 300_000,
  }, async () => {
    const s = server()
    const { agent, wallet, file, humcli } = await agentCli()
    await node().mint(node().usdc, wallet.address, 100n * USD)
    const bound = await humcli('wallet', 'bind', '--private-key-file', file)
    assertOk(bound)
    assert.equal(
      bound.stdout,
      `Wallet ${wallet.address} bound to ${agent.id} on base (signed with the key in ${file}).\n`,
    )
    assert.equal((await agent.api.get('/agents/me')).body.wallet_address, wallet.address)

    const where = await humcli('wallet', 'deposit-address')
    assertOk(where)
    assert.match(where.stdout, /\nChain id 31337; credited after 3 confirmations\.\n$/)

    const run = humcli('deposit', '--amount', '25', '--private-key-file', file, '--rpc-url', node().rpcUrl)
    // The chain moves on only once the report has recorded the deposit, so "pending" is seen first.
    for (;;) {
      const row = await s.ctx.store.db
        .selectFrom('deposits')
        .select('status')
        .where('agent_id', '=', agent.id)
        .executeTakeFirst()
      if (row) break
      await new Promise((r) => setTimeout(r, 100))
    }
    await advanceUntil(s, run)
    const r = await run
    assertOk(r)
    const [line] = lines(r.stdout)
    const m = /^Deposit (dep_\w+): \$25\.00 CONFIRMED \(tx (0x[0-9a-f]{64})\)\.$/.exec(line!)
    assert.ok(m, r.stdout)
    const status = lines(r.stderr).map((l) => l.replace(/^tx 0x[0-9a-f]{8}…\s+/, ''))
    assert.match(status[0]!, new RegExp(`^Sent \\$25\\.00 USDC to ${deposit}: tx ${m[2]}$`))
    // One line per change (stderr is not a terminal): the count rises, then the credit.
    const changes = status.slice(1)
    assert.equal(changes[0], 'pending, 1 of 3 confirmations', r.stderr)
    assert.equal(changes.at(-1), 'credited', r.stderr)
    const counts = changes
      .slice(0, -1)
      .map((l) => Number(/^pending, ([123]) of 3 confirmations$/.exec(l)?.[1]))
    assert.deepEqual(counts, [...new Set(counts)].sort(), `rising counts: ${r.stderr}`)
    assert.ok(
      counts.every((n) => n >= 1),
      r.stderr,
    )
    assert.equal(await availableMicros(s, agent.id), 25n * USD)
    assert.equal(await node().balanceOf(node().usdc, wallet.address), 75n * USD)
    const sent = await node().public.getTransaction({ hash: m[2] as `0x${string}` })
    assert.equal(sent.from.toLowerCase(), wallet.address.toLowerCase())
    assertNoKey(bound.stdout + bound.stderr + r.stdout + r.stderr, wallet.key)

    const json = await agent.api.get(`/agents/deposits/${m[2]}`)
    assert.equal(json.status, 200, json.text)
    assert.deepEqual(
      { ...json.body, deposits: json.body.deposits.map((d: { status: string }) => d.status) },
      {
        tx_hash: m[2],
        chain: 'base',
        status: 'CONFIRMED',
        amount_usdc: 25,
        block_number: Number(sent.blockNumber),
        deposits: ['CONFIRMED'],
      },
    )
    const stranger = await newAgent(s)
    assert.equal((await stranger.api.get(`/agents/deposits/${m[2]}`)).status, 404, "another agent's deposit")
  })

  test('refused before anything is sent: unreadable or malformed key, unbound wallet, no USDC, node down', {
    timeout: 300_000,
  }, async () => {
    const { agent, wallet, file, humcli } = await agentCli()
    const missing = path.join(home.home, 'no-such-key')
    assertFails(
      await humcli('wallet', 'bind', '--private-key-file', missing),
      EXIT.USAGE,
      /key file .*no-such-key cannot be read \(ENOENT\)/,
    )
    const almost = `0x${'5ec7e7'.repeat(10)}abc`
    const bad = keyFile(home.home, almost)
    const malformed = await humcli('deposit', '--amount', '5', '--private-key-file', bad)
    assertFails(malformed, EXIT.USAGE, /does not hold a private key: it must be 32 bytes in hex/)
    assertNoKey(malformed.stderr, `${almost}0`)
    assertFails(
      await humcli('wallet', 'bind', '--private-key-file', file, '--nonce', 'x'),
      EXIT.USAGE,
      /drop --address, --signature and --nonce/,
    )
    assertFails(
      await humcli('wallet', 'bind'),
      EXIT.USAGE,
      /give --private-key-file <file>, or all of --address/,
    )

    const rpc = ['--rpc-url', node().rpcUrl]
    await node().mint(node().usdc, wallet.address, 10n * USD)
    assertFails(
      await humcli('deposit', '--amount', '5', '--private-key-file', file, ...rpc),
      EXIT.USAGE,
      new RegExp(
        `the key in .* is for wallet ${wallet.address}, but you have no bound wallet;.*wallet bind --private-key-file`,
      ),
    )
    assertOk(await humcli('wallet', 'bind', '--private-key-file', file))
    assertFails(
      await humcli('deposit', '--amount', '50', '--private-key-file', file, ...rpc),
      EXIT.FAILED,
      /holds \$10\.00 USDC, less than the \$50\.00 to send: fund it first/,
    )
    assertFails(
      await humcli('deposit', '--amount', '5', '--private-key-file', file, '--rpc-url', 'http://127.0.0.1:9'),
      EXIT.UNREACHABLE,
      /cannot reach the RPC node at 127\.0\.0\.1:9/,
    )
    assertFails(
      await humcli('deposit', '--private-key-file', file, ...rpc),
      EXIT.USAGE,
      /say how much with --amount/,
    )
    assertFails(
      await humcli(
        'deposit',
        '--amount',
        '5',
        '--tx-hash',
        `0x${'ab'.repeat(32)}`,
        '--private-key-file',
        file,
      ),
      EXIT.USAGE,
      /not both/,
    )
    assert.equal(await node().balanceOf(node().usdc, wallet.address), 10n * USD, 'nothing was sent')
    assert.equal(await availableMicros(server(), agent.id), 0n)
    assert.ok(fs.existsSync(file))
  })
})

forEachDialect('humcli deposit --private-key-file on a development server', (dialect) => {
  test('the development chain reads no transfers: the CLI says to drop --private-key-file', async (t) => {
    const s = await startTestServer(dialect, { depositAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' })
    const home = tempHome()
    t.after(async () => {
      await s.close()
      home.drop()
    })
    const agent = await newAgent(s)
    const file = keyFile(home.home, `0x${'11'.repeat(32)}`)
    const env = { HOME: home.home, HUMCLI_API_URL: s.url, HUMCLI_API_KEY: agent.key }
    assertFails(
      await runHumcli(['deposit', '--amount', '5', '--private-key-file', file], env, 60_000),
      EXIT.USAGE,
      /development chain and reads no transfers: run `.*deposit --amount <usd>` without --private-key-file/,
    )
    const dev = await runHumcli(['deposit', '--amount', '5'], env, 60_000)
    assertOk(dev)
    assert.match(dev.stdout, /^Deposit dep_\w+: \$5\.00 CONFIRMED/)
  })
})
