import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { getAddress } from 'viem'
import type { Config } from '../../src/config.ts'
import type { ChainConfig } from '../../src/config-chain.ts'
import { accounts } from '../../src/ledger/accounts.ts'
import { balancesOf } from '../../src/ledger/post.ts'
import { type AgentFixture, newAgent } from '../helpers/fixtures.ts'
import type { TestServer } from '../helpers/harness.ts'
import { ANVIL_CHAIN_ID, type Anvil } from './anvil.ts'

/** Settings of a chain test: the anvil node, its USDC, a deposit address; overrides per file. */
export function chainOverrides(
  node: Anvil,
  depositAddress: string,
  chain: Partial<ChainConfig> = {},
): Partial<Config> {
  return {
    depositAddress: getAddress(depositAddress),
    usdcContract: getAddress(node.usdc),
    chain: {
      rpcUrl: node.rpcUrl,
      chainId: ANVIL_CHAIN_ID,
      confirmations: 1,
      pollMs: 1_000,
      scanBlocks: 1_000,
      startBlock: null,
      payoutKeyFile: null,
      payoutKeyEnv: null,
      maxFeePerGasWei: 100n * 10n ** 9n,
      payoutRetryMs: 10_000,
      ...chain,
    },
  }
}

/** Writes a private key to a file only the owner can read, as an operator would store it. */
export function keyFile(dir: string, key: string): string {
  const file = path.join(dir, `key-${Math.random().toString(36).slice(2)}`)
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 })
  return file
}

export interface ChainAgent extends AgentFixture {
  wallet: Awaited<ReturnType<Anvil['newAccount']>>
}

/** An agent whose wallet (a fresh funded account on the node) is bound through the API. */
export async function agentWithWallet(s: TestServer, node: Anvil, usdcMicros = 0n): Promise<ChainAgent> {
  const agent = await newAgent(s)
  const wallet = await node.newAccount()
  const c = await agent.api.post('/agents/wallet/challenge')
  assert.equal(c.status, 200, c.text)
  const signature = await wallet.account.signMessage!({ message: c.body.message })
  const bound = await agent.api.call('PUT', '/agents/wallet', {
    body: { wallet_address: wallet.address, signature, nonce: c.body.nonce },
  })
  assert.equal(bound.status, 200, bound.text)
  if (usdcMicros > 0n) await node.mint(node.usdc, wallet.address, usdcMicros)
  return { ...agent, wallet }
}

/** What the ledger has credited to an agent, in micro-dollars. */
export async function availableMicros(s: TestServer, agentId: string): Promise<bigint> {
  const account = accounts.agentAvailable(agentId)
  return (await balancesOf(s.ctx.store.db, [account])).get(account)!
}

/** Runs the watcher once: its job is due one poll interval after the last run. */
export async function runWatcher(s: TestServer): Promise<void> {
  s.clock.advance(s.ctx.config.chain!.pollMs)
  await s.runJobs()
}
