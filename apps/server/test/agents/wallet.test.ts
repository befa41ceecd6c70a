import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Humcli } from '@humcli/sdk'
import { loadConfig } from '../../src/config.ts'
import { type Client, client } from '../helpers/api.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { testWallet as wallet } from '../helpers/wallet.ts'

const DEPOSIT_ADDRESS = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'

type Wallet = ReturnType<typeof wallet>
/** The PUT body for `w` signing challenge `c` (as returned by POST /agents/wallet/challenge). */
const signed = (w: Wallet, c: { body: { message: string; nonce: string } }) => ({
  wallet_address: w.address,
  signature: w.sign(c.body.message),
  nonce: c.body.nonce,
})
const bind = (api: Client, body: unknown) => api.call('PUT', '/agents/wallet', { body })

forEachDialect('deposit wallet binding (spec §4)', (dialect) => {
  const server = useServer(dialect, { depositAddress: DEPOSIT_ADDRESS })

  test('challenge → personal_sign → PUT /agents/wallet binds the wallet, shown on /agents/me', async () => {
    const s = server()
    const agent = await newAgent(s)
    const c = await agent.api.post('/agents/wallet/challenge')
    assert.equal(c.status, 200, c.text)
    assert.equal(c.body.chain, 'base')
    assert.match(c.body.nonce, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(c.body.issued_at, s.clock.now().toISOString())
    assert.equal(
      c.body.message,
      [
        'HumCLI deposit wallet verification',
        `agent_id: ${agent.id}`,
        'chain: base',
        `nonce: ${c.body.nonce}`,
        `issued_at: ${c.body.issued_at}`,
      ].join('\n'),
    )
    assert.equal(new Date(c.body.expires_at).getTime() - new Date(c.body.issued_at).getTime(), 10 * 60_000)

    const w = wallet()
    const bound = await bind(agent.api, signed(w, c))
    assert.equal(bound.status, 200, bound.text)
    const eip55 = loadConfig({ HUMCLI_DEPOSIT_ADDRESS: w.address }).depositAddress
    assert.deepEqual(bound.body, {
      agent_id: agent.id,
      chain: 'base',
      wallet_address: eip55,
      bound_at: s.clock.now().toISOString(),
    })
    const me = await agent.api.get('/agents/me')
    assert.equal(me.body.wallet_address, eip55)

    // Single use: the same challenge and signature again.
    const again = await bind(agent.api, signed(w, c))
    assert.equal(again.status, 400)
    assert.match(again.body.error, /^Invalid or expired challenge/)
  })

  test('binding again with a new challenge replaces the wallet', async () => {
    const s = server()
    const agent = await newAgent(s)
    for (const w of [wallet(), wallet()]) {
      const c = await agent.api.post('/agents/wallet/challenge')
      const r = await bind(agent.api, signed(w, c))
      assert.equal(r.status, 200, r.text)
      assert.equal((await agent.api.get('/agents/me')).body.wallet_address.toLowerCase(), w.address)
    }
  })

  test('an expired challenge is refused; one just inside 10 minutes works', async () => {
    const s = server()
    const agent = await newAgent(s)
    const w = wallet()
    const old = await agent.api.post('/agents/wallet/challenge')
    s.clock.advance(10 * 60_000)
    const late = await bind(agent.api, signed(w, old))
    assert.equal(late.status, 400)
    assert.equal(late.body.code, 'VALIDATION_FAILED')
    assert.match(
      late.body.error,
      /^Invalid or expired challenge: .*POST \/api\/v1\/agents\/wallet\/challenge/,
    )
    const fresh = await agent.api.post('/agents/wallet/challenge')
    s.clock.advance(10 * 60_000 - 1)
    const inTime = await bind(agent.api, signed(w, fresh))
    assert.equal(inTime.status, 200, inTime.text)
  })

  test("another agent's challenge is refused like an unknown one, and stays usable by its owner", async () => {
    const s = server()
    const a = await newAgent(s)
    const b = await newAgent(s)
    const w = wallet()
    const c = await a.api.post('/agents/wallet/challenge')
    const body = signed(w, c)
    const stolen = await bind(b.api, body)
    assert.equal(stolen.status, 400)
    assert.match(stolen.body.error, /^Invalid or expired challenge/)
    const unknown = await bind(b.api, { ...body, nonce: '00000000-0000-4000-8000-000000000000' })
    assert.equal(unknown.body.error, stolen.body.error, 'no hint that the nonce exists')
    assert.equal((await b.api.get('/agents/me')).body.wallet_address, null)
    assert.equal((await bind(a.api, body)).status, 200)
  })

  test('a signature by another wallet, or over another message, is refused and the challenge is kept', async () => {
    const s = server()
    const agent = await newAgent(s)
    const mine = wallet()
    const other = wallet()
    const c = await agent.api.post('/agents/wallet/challenge')
    const wrongKey = await bind(agent.api, {
      wallet_address: mine.address,
      signature: other.sign(c.body.message),
      nonce: c.body.nonce,
    })
    assert.equal(wrongKey.status, 400)
    assert.equal(wrongKey.body.details[0].path, 'signature')
    assert.match(
      wrongKey.body.error,
      /^The signature was made by 0x[0-9a-fA-F]{40}, not by 0x[0-9a-fA-F]{40}: sign/,
    )
    const wrongText = await agent.api.call('PUT', '/agents/wallet', {
      body: {
        wallet_address: mine.address,
        signature: mine.sign(`${c.body.message}\n`),
        nonce: c.body.nonce,
      },
    })
    assert.equal(wrongText.status, 400)
    assert.equal((await agent.api.get('/agents/me')).body.wallet_address, null)
    const right = await bind(agent.api, signed(mine, c))
    assert.equal(right.status, 200, right.text)
  })

  test('malformed bodies are 400 with a sentence, and nothing is bound', async () => {
    const s = server()
    const agent = await newAgent(s)
    const w = wallet()
    const c = await agent.api.post('/agents/wallet/challenge')
    const good = signed(w, c)
    const mixed = loadConfig({ HUMCLI_DEPOSIT_ADDRESS: w.address }).depositAddress!
    // The first letter's case flipped: one mistyped character in an EIP-55 address.
    const typo = `0x${mixed.slice(2).replace(/[a-f]/i, (ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()))}`
    const cases: [string, unknown, RegExp][] = [
      ['missing signature', { wallet_address: w.address, nonce: c.body.nonce }, /signature/],
      ['short address', { ...good, wallet_address: '0x1234' }, /wallet_address/],
      ['bad checksum', { ...good, wallet_address: typo }, /EIP-55 checksum/],
      ['short signature', { ...good, signature: good.signature.slice(0, 100) }, /signature/],
      ['not a uuid', { ...good, nonce: 'abc' }, /nonce/],
      ['extra field', { ...good, chain: 'base' }, /chain/],
      ['number address', { ...good, wallet_address: 12 }, /wallet_address/],
    ]
    for (const [name, body, pattern] of cases) {
      const r = await bind(agent.api, body)
      assert.equal(r.status, 400, `${name}: ${r.text}`)
      assert.match(r.body.error, /\.$/, `${name}: a sentence`)
      assert.match(r.text, pattern, name)
    }
    assert.equal((await agent.api.get('/agents/me')).body.wallet_address, null)
    assert.equal((await bind(agent.api, good)).status, 200)
  })

  test('a wallet funds one agent: binding it to a second is 409, and that challenge is kept', async () => {
    const s = server()
    const a = await newAgent(s)
    const b = await newAgent(s)
    const w = wallet()
    const ca = await a.api.post('/agents/wallet/challenge')
    assert.equal((await bind(a.api, signed(w, ca))).status, 200)
    const cb = await b.api.post('/agents/wallet/challenge')
    // Upper-case hex is the same wallet.
    const upper = `0x${w.address.slice(2).toUpperCase()}`
    const taken = await bind(b.api, {
      wallet_address: upper,
      signature: w.sign(cb.body.message),
      nonce: cb.body.nonce,
    })
    assert.equal(taken.status, 409, taken.text)
    assert.match(taken.body.error, /already bound to another agent/)
    const w2 = wallet()
    const ok = await bind(b.api, signed(w2, cb))
    assert.equal(ok.status, 200, ok.text)
  })

  test('10 concurrent binds with one challenge: exactly one succeeds', async () => {
    const s = server()
    const agent = await newAgent(s)
    const c = await agent.api.post('/agents/wallet/challenge')
    const wallets = Array.from({ length: 10 }, wallet)
    const results = await Promise.all(wallets.map((w) => bind(agent.api, signed(w, c))))
    const won = results.filter((r) => r.status === 200)
    assert.equal(won.length, 1, results.map((r) => r.status).join(','))
    assert.ok(results.every((r) => r.status === 200 || r.status === 400))
    const me = await agent.api.get('/agents/me')
    assert.equal(me.body.wallet_address, won[0]!.body.wallet_address)
  })

  test('GET /agents/deposit-address gives the configured address and the USDC contract', async () => {
    const s = server()
    const agent = await newAgent(s)
    const r = await agent.api.get('/agents/deposit-address')
    assert.equal(r.status, 200, r.text)
    assert.deepEqual(r.body, {
      chain: 'base',
      token: 'USDC',
      token_contract: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
      address: DEPOSIT_ADDRESS,
      // The development chain is no chain: nothing to sign against, nothing to wait for.
      chain_id: null,
      confirmations: null,
    })
  })

  test('the SDK: wallet.challenge, wallet.bind and wallet.depositAddress', async () => {
    const s = server()
    const agent = await newAgent(s)
    const humcli = new Humcli({ apiKey: agent.key, baseUrl: s.url, maxRetries: 0 })
    const w = wallet()
    const c = await humcli.wallet.challenge()
    const bound = await humcli.wallet.bind({
      wallet_address: w.address,
      signature: w.sign(c.message),
      nonce: c.nonce,
    })
    assert.equal(bound.wallet_address.toLowerCase(), w.address)
    assert.equal((await humcli.me()).wallet_address, bound.wallet_address)
    assert.equal((await humcli.wallet.depositAddress()).address, DEPOSIT_ADDRESS)
  })

  test('every wallet endpoint needs an agent key', async () => {
    const s = server()
    const anon = client(s.url)
    for (const [method, path] of [
      ['POST', '/agents/wallet/challenge'],
      ['PUT', '/agents/wallet'],
      ['GET', '/agents/deposit-address'],
    ] as const) {
      const r = await anon.call(method, path, method === 'PUT' ? { body: {} } : {})
      assert.equal(r.status, 401, `${method} ${path}`)
    }
  })
})

forEachDialect('deposit address not configured', (dialect) => {
  const server = useServer(dialect)
  test('503 with a sentence saying what to set', async () => {
    const agent = await newAgent(server())
    const r = await agent.api.get('/agents/deposit-address')
    assert.equal(r.status, 503)
    assert.equal(r.body.code, 'UNAVAILABLE')
    assert.match(r.body.error, /HUMCLI_DEPOSIT_ADDRESS/)
  })
})

test('config: deposit address and USDC contract are checked and kept in EIP-55 form', () => {
  const c = loadConfig({ HUMCLI_DEPOSIT_ADDRESS: DEPOSIT_ADDRESS.toLowerCase() })
  assert.equal(c.depositAddress, DEPOSIT_ADDRESS)
  assert.equal(c.usdcContract, '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913')
  assert.equal(loadConfig({}).depositAddress, null)
  assert.throws(
    () => loadConfig({ HUMCLI_DEPOSIT_ADDRESS: '0x123' }),
    /HUMCLI_DEPOSIT_ADDRESS must be 0x followed by 40/,
  )
  assert.throws(
    () => loadConfig({ HUMCLI_USDC_CONTRACT: '0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' }),
    /HUMCLI_USDC_CONTRACT has mixed case that does not match its EIP-55 checksum/,
  )
})
