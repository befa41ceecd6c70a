import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type DepositWaitState, Humcli, HumcliError, personalSignWith, WaitTimeoutError } from '@humcli/sdk'
import { newAgent, txHash } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { testWallet } from '../helpers/wallet.ts'

/** The SDK's wallet and deposit helpers against a real server (development chain). */
forEachDialect('SDK wallet.bindWith and deposits.waitForCredit', (dialect) => {
  const server = useServer(dialect, { depositAddress: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' })
  const sdk = async () => {
    const agent = await newAgent(server())
    return { agent, humcli: new Humcli({ apiKey: agent.key, baseUrl: server().url, maxRetries: 0 }) }
  }

  test('bindWith: challenge, the caller signs, bind; an EIP-1193 provider signs through personalSignWith', async () => {
    const { agent, humcli } = await sdk()
    const w = testWallet()
    const signed: string[] = []
    const bound = await humcli.wallet.bindWith(w.address, async (message) => {
      signed.push(message)
      return w.sign(message)
    })
    assert.equal(bound.wallet_address.toLowerCase(), w.address)
    assert.equal(signed.length, 1)
    assert.match(signed[0]!, new RegExp(`^HumCLI deposit wallet verification\nagent_id: ${agent.id}\n`))
    // A provider gets personal_sign with the message as hex and the address, as wallets expect.
    const other = testWallet()
    const calls: unknown[][] = []
    const provider = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        calls.push([method, ...(params ?? [])])
        return other.sign(Buffer.from(String(params![0]).slice(2), 'hex').toString('utf8'))
      },
    }
    const again = await humcli.wallet.bindWith(other.address, personalSignWith(provider, other.address))
    assert.equal(again.wallet_address.toLowerCase(), other.address)
    assert.equal(calls[0]![0], 'personal_sign')
    assert.equal(calls[0]![2], other.address)
    const wrong = await humcli.wallet.bindWith(w.address, async (m) => other.sign(m)).catch((e) => e)
    assert.ok(wrong instanceof HumcliError && wrong.status === 400, String(wrong))
    assert.match(wrong.message, /The signature was made by/)
  })

  test('waitForCredit: NOT_SEEN (404) until the report, then CONFIRMED; a timeout names the last state', async () => {
    const { humcli } = await sdk()
    const tx = txHash()
    const seen: [DepositWaitState, number | null][] = []
    const waiting = humcli.deposits.waitForCredit(tx, {
      initialDelayMs: 50,
      maxDelayMs: 100,
      timeoutMs: 30_000,
      onStatus: (state, d) => {
        seen.push([state, d?.amount_usdc ?? null])
      },
    })
    await new Promise((r) => setTimeout(r, 300))
    await humcli.deposit({ tx_hash: tx, amount_usdc: 12.5 })
    const done = await waiting
    assert.equal(done.status, 'CONFIRMED')
    assert.equal(done.amount_usdc, 12.5)
    assert.equal(done.deposits.length, 1)
    assert.deepEqual(seen, [
      ['NOT_SEEN', null],
      ['CONFIRMED', 12.5],
    ])
    const never = await humcli.deposits
      .waitForCredit(txHash(), { initialDelayMs: 20, timeoutMs: 200 })
      .catch((e) => e)
    assert.ok(never instanceof WaitTimeoutError, String(never))
    assert.match(never.message, /still NOT_SEEN after/)
    const bad = await humcli.deposits.get('0x12').catch((e) => e)
    assert.equal(bad.status, 400, 'a malformed hash is refused')
  })
})
