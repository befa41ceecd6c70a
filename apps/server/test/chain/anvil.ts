import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import path from 'node:path'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  type Account,
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hash,
  http,
  type PublicClient,
  type TestClient,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'

/**
 * A real local EVM node for the chain tests: the anvil binary that `@foundry-rs/anvil` installs
 * from npm (nothing is downloaded at run time), on a free loopback port, with the "USDC" of
 * test/chain/contracts (6 decimals) deployed. Transactions are mined as they arrive; `mine`
 * adds blocks on demand, `snapshot`/`revert` undo blocks (a reorg, or a clean slate per case).
 */

// Resolved like any dependency, so it is found wherever npm placed it (workspaces hoist it).
const ANVIL = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@foundry-rs/anvil-linux-amd64/package.json')),
  'bin',
  'anvil',
)
const ARTIFACT = JSON.parse(
  fs.readFileSync(fileURLToPath(new URL('./contracts/TestUSDC.json', import.meta.url)), 'utf8'),
) as { abi: readonly unknown[]; bytecode: `0x${string}` }

export const USDC_ABI = ARTIFACT.abi as typeof ARTIFACT.abi
/** anvil's default chain id. */
export const ANVIL_CHAIN_ID = 31337

const anvilChain = (rpcUrl: string) =>
  defineChain({
    id: ANVIL_CHAIN_ID,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

export interface Anvil {
  rpcUrl: string
  child: ChildProcess
  public: PublicClient
  test: TestClient
  /** The deployed "USDC" and a second, unrelated token with the same code. */
  usdc: Address
  otherToken: Address
  /** A fresh account with 10 ETH for gas. */
  newAccount(): Promise<{ key: `0x${string}`; account: Account; address: Address }>
  mint(token: Address, to: Address, micros: bigint): Promise<void>
  /** Sends a token call from `key` and waits for its receipt (reverted calls included). */
  send(key: `0x${string}`, token: Address, fn: string, args: readonly unknown[], gas?: bigint): Promise<Hash>
  balanceOf(token: Address, who: Address): Promise<bigint>
  mine(blocks?: number): Promise<void>
  snapshot(): Promise<Hash>
  revert(id: Hash): Promise<void>
  stop(): Promise<void>
}

async function waitReady(rpcUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      })
      if (res.ok) return
    } catch {}
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('anvil did not start')
    await new Promise((r) => setTimeout(r, 25))
  }
}

export async function startAnvil(): Promise<Anvil> {
  const port = await freePort()
  const child = spawn(
    ANVIL,
    ['--host', '127.0.0.1', '--port', String(port), '--silent', '--slots-in-an-epoch', '1'],
    { stdio: 'ignore' },
  )
  const rpcUrl = `http://127.0.0.1:${port}`
  try {
    await waitReady(rpcUrl, child)
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }
  const chain = anvilChain(rpcUrl)
  const transport = http(rpcUrl)
  const pub = createPublicClient({ chain, transport, cacheTime: 0 }) as PublicClient
  const test = createTestClient({ chain, transport, mode: 'anvil', cacheTime: 0 })
  const walletOf = (key: `0x${string}`) =>
    createWalletClient({ chain, transport, account: privateKeyToAccount(key), cacheTime: 0 })
  // A fresh deployer (and minter), funded with anvil's own cheat call.
  const DEPLOYER_KEY = generatePrivateKey()
  const deployer = walletOf(DEPLOYER_KEY)
  await test.setBalance({ address: deployer.account.address, value: 10n ** 20n })
  const deploy = async () => {
    const hash = await deployer.deployContract({ abi: USDC_ABI, bytecode: ARTIFACT.bytecode })
    const receipt = await pub.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    return receipt.contractAddress!
  }
  const usdc = await deploy()
  const otherToken = await deploy()
  const send: Anvil['send'] = async (key, token, fn, args, gas) => {
    const hash = await walletOf(key).writeContract({
      address: token,
      abi: USDC_ABI,
      functionName: fn,
      args,
      ...(gas ? { gas } : {}),
    } as never)
    await pub.waitForTransactionReceipt({ hash, pollingInterval: 20 })
    return hash
  }
  return {
    rpcUrl,
    child,
    public: pub,
    test,
    usdc,
    otherToken,
    async newAccount() {
      const key = generatePrivateKey()
      const account = privateKeyToAccount(key)
      await test.setBalance({ address: account.address, value: 10n * 10n ** 18n })
      return { key, account, address: account.address }
    },
    async mint(token, to, micros) {
      await send(DEPLOYER_KEY, token, 'mint', [to, micros])
    },
    send,
    balanceOf: (token, who) =>
      pub.readContract({
        address: token,
        abi: USDC_ABI,
        functionName: 'balanceOf',
        args: [who],
      } as never) as Promise<bigint>,
    mine: (blocks = 1) => test.mine({ blocks }),
    snapshot: () => test.snapshot(),
    async revert(id) {
      await test.revert({ id })
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** One anvil per test file: started before its tests, stopped after. */
export function useAnvil(): () => Anvil {
  let node: Anvil | undefined
  before(async () => {
    node = await startAnvil()
  })
  after(async () => {
    await node?.stop()
  })
  return () => {
    if (!node) throw new Error('anvil not started')
    return node
  }
}
