import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { assertFails, assertOk, tempHome } from '../helpers/cli.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, runHumcli, useServer } from '../helpers/harness.ts'
import { testWallet } from '../helpers/wallet.ts'

const DEPOSIT_ADDRESS = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'

forEachDialect('humcli wallet', (dialect) => {
  const server = useServer(dialect, { depositAddress: DEPOSIT_ADDRESS })
  const home = tempHome()
  after(() => home.drop())

  test('challenge prints the message alone on stdout; bind with its signature; deposit-address', async () => {
    const agent = await newAgent(server())
    const env = { HOME: home.home, HUMCLI_API_URL: server().url, HUMCLI_API_KEY: agent.key }
    const humcli = (...args: string[]) => runHumcli(args, env, 60_000)

    const c = await humcli('wallet', 'challenge')
    assertOk(c)
    const message = c.stdout.replace(/\n$/, '')
    assert.equal(message.split('\n')[0], 'HumCLI deposit wallet verification')
    assert.equal(message.split('\n')[1], `agent_id: ${agent.id}`)
    const nonce = /^nonce: (.+)$/m.exec(message)![1]!
    assert.match(c.stderr, new RegExp(`--nonce ${nonce}`))

    const w = testWallet()
    const signature = w.sign(message)
    const bind = (nonceArg: string, ...extra: string[]) =>
      humcli(
        'wallet',
        'bind',
        '--address',
        w.address,
        '--signature',
        signature,
        '--nonce',
        nonceArg,
        ...extra,
      )
    assertFails(await bind('00000000-0000-4000-8000-000000000000'), 2, /Invalid or expired challenge/)
    const bound = await bind(nonce, '--json')
    assertOk(bound)
    assert.equal(JSON.parse(bound.stdout).wallet_address.toLowerCase(), w.address)
    assert.equal((await agent.api.get('/agents/me')).body.wallet_address.toLowerCase(), w.address)

    const where = await humcli('wallet', 'deposit-address')
    assertOk(where)
    assert.equal(
      where.stdout,
      `Send USDC on base to ${DEPOSIT_ADDRESS} (token contract 0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913).\n`,
    )
  })
})
