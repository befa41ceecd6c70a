import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Address } from 'viem'
import { setAgentTier } from '../../src/admin/set-tier.ts'
import type { Config } from '../../src/config.ts'
import type { ChainConfig } from '../../src/config-chain.ts'
import { client } from '../helpers/api.ts'
import type { OperatorFixture } from '../helpers/fixtures.ts'
import { type Dialect, startTestServer, type TestServer, type TestServerOptions } from '../helpers/harness.ts'
import { payoutBody } from '../payouts/fixtures.ts'
import type { Anvil } from './anvil.ts'
import { agentWithWallet, type ChainAgent, chainOverrides, keyFile } from './fixtures.ts'

export const USD = 1_000_000n

export interface PayoutServer {
  s: TestServer
  hot: Awaited<ReturnType<Anvil['newAccount']>>
  hotFile: string
  deposit: Address
  /** A STANDARD agent that deposited `agentUsd` for real: USDC from its bound wallet. */
  agent: ChainAgent
}

/**
 * A server on the anvil node whose hot wallet (key in a file) holds `hotUsdc` micro-USDC, and an
 * agent whose tasks' money came in as a real deposit.
 */
export async function payoutServer(
  n: Anvil,
  dialect: Dialect,
  o: { hotUsdc?: bigint; agentUsd?: bigint; chain?: Partial<ChainConfig>; config?: Partial<Config> } = {},
  options: TestServerOptions = {},
): Promise<PayoutServer> {
  const hot = await n.newAccount()
  const deposit = (await n.newAccount()).address
  const hotUsdc = o.hotUsdc ?? 1_000n * USD
  if (hotUsdc > 0n) await n.mint(n.usdc, hot.address, hotUsdc)
  const hotFile = keyFile(fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-hot-')), hot.key)
  const overrides = chainOverrides(n, deposit, { payoutKeyFile: hotFile, ...o.chain })
  const s = await startTestServer(dialect, { ...overrides, ...o.config }, options)
  await s.ctx.chain.check!()
  const agentUsd = o.agentUsd ?? 300n
  const agent = await agentWithWallet(s, n, agentUsd * USD)
  await setAgentTier(s.ctx, agent.id, 'STANDARD')
  const tx = await n.send(agent.wallet.key, n.usdc, 'transfer', [deposit, agentUsd * USD])
  const d = await agent.api.post('/agents/deposit/usdc', { tx_hash: tx, chain: 'base' })
  assert.equal(d.body.status, 'CONFIRMED', d.text)
  return { s, hot, hotFile, deposit, agent }
}

export const payoutRow = (s: TestServer, id: string) =>
  s.ctx.store.db.selectFrom('payouts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

/** The operator asks for `usd` to a fresh address of the node. */
export async function requestPayout(n: Anvil, op: OperatorFixture, usd: number) {
  const to = (await n.newAccount()).address
  const r = await op.api.post('/operator/payout', payoutBody(usd, { wallet_address: to }))
  assert.equal(r.status, 201, r.text)
  return { id: r.body.payout_id as string, to }
}

/** Settled once: CONFIRMED with the mined hash, the operator's wallet holds the net amount exactly. */
export async function assertPaidOnce(n: Anvil, s: TestServer, id: string, to: Address, usd: bigint) {
  const row = await payoutRow(s, id)
  assert.equal(row.status, 'CONFIRMED')
  const receipt = await n.public.getTransactionReceipt({ hash: row.tx_hash as `0x${string}` })
  assert.equal(receipt.status, 'success')
  assert.equal(await n.balanceOf(n.usdc, to), usd * USD, 'the operator is paid exactly once')
}

/** The operator logged in again: tokens expire as a test moves the clock on. */
export async function loggedIn(s: TestServer, op: OperatorFixture): Promise<OperatorFixture> {
  const login = await client(s.url).post('/operator/login', { email: op.email, password: op.password })
  assert.equal(login.status, 200, login.text)
  return { ...op, token: login.body.token, api: client(s.url, { token: login.body.token }) }
}
