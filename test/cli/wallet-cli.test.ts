import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { assertFails, assertOk, tempHome } from '../helpers/cli.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, runHumcli, useServer } from '../helpers/harness.ts'

const DEPOSIT_ADDRESS = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'

/** What a wallet app does with the printed message: personal_sign (EIP-191). */
function personalSign(message: string, secretKey: Uint8Array): string {
  const body = Buffer.from(message, 'utf8')
  const digest = keccak_256(
    Buffer.concat([Buffer.from(`\x19Ethereum Signed Message:\n${body.length}`), body]),
  )
  const rec = secp256k1.sign(digest, secretKey, { prehash: false, format: 'recovered' })
  return `0x${Buffer.from(rec.subarray(1)).toString('hex')}${(27 + rec[0]!).toString(16)}`
}

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

    const { secretKey, publicKey } = secp256k1.keygen()
    const pub = secp256k1.Point.fromBytes(publicKey).toBytes(false)
    const address = `0x${Buffer.from(keccak_256(pub.subarray(1)).subarray(12)).toString('hex')}`
    const signature = personalSign(message, secretKey)
    const wrong = await humcli(
      'wallet',
      'bind',
      '--address',
      address,
      '--signature',
      signature,
      '--nonce',
      '00000000-0000-4000-8000-000000000000',
    )
    assertFails(wrong, 2, /Invalid or expired challenge/)
    const bound = await humcli(
      'wallet',
      'bind',
      '--address',
      address,
      '--signature',
      signature,
      '--nonce',
      nonce,
      '--json',
    )
    assertOk(bound)
    assert.equal(JSON.parse(bound.stdout).wallet_address.toLowerCase(), address)
    assert.equal((await agent.api.get('/agents/me')).body.wallet_address.toLowerCase(), address)

    const where = await humcli('wallet', 'deposit-address')
    assertOk(where)
    assert.equal(
      where.stdout,
      `Send USDC on base to ${DEPOSIT_ADDRESS} (token contract 0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913).\n`,
    )
  })
})
