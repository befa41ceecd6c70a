import {
  type DepositAddress,
  type DepositStatus,
  type Humcli,
  HumcliError,
  WaitTimeoutError,
} from '@humcli/sdk'
import type { Command } from 'commander'
import { microsToUsd, usdToMicros } from '../domain/money.ts'
import { transferData, USDC_ABI } from '../payments/evm-abi.ts'
import { cliEnv, withClient } from './client.ts'
import { run } from './command.ts'
import { CliFailure, EXIT } from './exit-codes.ts'
import { elapsed, out, printJson, usd } from './format.ts'
import { liveLine } from './live-line.ts'
import { accountFromKeyFile } from './wallet-key.ts'

/** Public RPC endpoints of the preset chains, used when neither --rpc-url nor HUMCLI_RPC_URL is set. */
const PUBLIC_RPC: Record<number, string> = {
  8453: 'https://mainnet.base.org',
  84532: 'https://sepolia.base.org',
}

export interface ChainDepositFlags {
  amount?: number
  privateKeyFile: string
  rpcUrl?: string
  timeout?: number
  json?: boolean
}

type Account = Awaited<ReturnType<typeof accountFromKeyFile>>
const WHAT = 'deposit'
const fail = (why: string, code: number = EXIT.FAILED) => new CliFailure(`${WHAT} failed: ${why}`, code)
/** viem's one-line reason, never its long form (which repeats the request). */
const reason = (err: unknown) =>
  (err as { shortMessage?: string }).shortMessage ?? (err instanceof Error ? err.message : String(err))

/** The node the agent sends from: its own setting, else the chain's public endpoint. */
function rpcUrlFor(flags: ChainDepositFlags, chainId: number): string {
  const url = flags.rpcUrl ?? cliEnv().HUMCLI_RPC_URL ?? PUBLIC_RPC[chainId]
  if (!url) {
    throw fail(
      `the server takes deposits on chain ${chainId}, which has no public RPC preset: give a node of it with --rpc-url or HUMCLI_RPC_URL.`,
      EXIT.USAGE,
    )
  }
  return url
}

/** The server's chain and the key's wallet, checked before anything is sent. */
async function preflight(humcli: Humcli, account: Account, file: string) {
  const where = await humcli.wallet.depositAddress()
  if (where.chain_id === null || where.confirmations === null) {
    throw fail(
      `this server runs the development chain and reads no transfers: run \`${run('deposit --amount <usd>')}\` without --private-key-file.`,
      EXIT.USAGE,
    )
  }
  const me = await humcli.me()
  if (me.wallet_address?.toLowerCase() !== account.address.toLowerCase()) {
    throw fail(
      `the key in ${file} is for wallet ${account.address}, but ${me.wallet_address ? `your bound wallet is ${me.wallet_address}` : 'you have no bound wallet'}; ` +
        `transfers are credited only from the bound wallet: run \`${run(`wallet bind --private-key-file ${file}`)}\` first.`,
      EXIT.USAGE,
    )
  }
  return where as DepositAddress & { chain_id: number; confirmations: number }
}

async function chainClients(rpcUrl: string, account: Account, chainId: number) {
  const viem = await import('viem')
  const transport = viem.http(rpcUrl, { retryCount: 2 })
  const pub = viem.createPublicClient({ transport, cacheTime: 0 })
  let onNode: number
  try {
    onNode = await pub.getChainId()
  } catch (err) {
    const host = URL.canParse(rpcUrl) ? new URL(rpcUrl).host : 'the given URL'
    throw fail(
      `cannot reach the RPC node at ${host} (${reason(err)}): check --rpc-url or HUMCLI_RPC_URL.`,
      EXIT.UNREACHABLE,
    )
  }
  if (onNode !== chainId) {
    throw fail(
      `the RPC node is on chain ${onNode}, but the server takes deposits on chain ${chainId}: point --rpc-url at a node of chain ${chainId}.`,
      EXIT.USAGE,
    )
  }
  const chain = viem.defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  return { pub, wallet: viem.createWalletClient({ account, chain, transport, cacheTime: 0 }) }
}

type Clients = Awaited<ReturnType<typeof chainClients>>

/** Sends `transfer(deposit address, amount)` and waits for it to be mined; returns hash and block. */
async function sendTransfer(c: Clients, account: Account, where: DepositAddress, micros: bigint) {
  const token = where.token_contract as `0x${string}`
  const held = (await c.pub.readContract({
    address: token,
    abi: USDC_ABI,
    functionName: 'balanceOf',
    args: [account.address],
  })) as bigint
  if (held < micros) {
    throw fail(
      `wallet ${account.address} holds ${usd(microsToUsd(held))} USDC, less than the ${usd(microsToUsd(micros))} to send: fund it first.`,
    )
  }
  let hash: `0x${string}`
  try {
    hash = await c.wallet.sendTransaction({ to: token, data: transferData(where.address, micros) })
  } catch (err) {
    throw fail(`the node refused the USDC transfer (${reason(err)}); nothing was sent.`)
  }
  process.stderr.write(`Sent ${usd(microsToUsd(micros))} USDC to ${where.address}: tx ${hash}\n`)
  const receipt = await c.pub.waitForTransactionReceipt({ hash, pollingInterval: 1_000, timeout: 600_000 })
  if (receipt.status !== 'success') {
    throw fail(`the USDC transfer reverted on chain (tx ${hash}): nothing was sent.`)
  }
  return { hash, block: receipt.blockNumber }
}

/** Reports the transfer so it is checked at once; 409 means the watcher recorded it first. */
async function report(humcli: Humcli, hash: string, amount: number): Promise<void> {
  try {
    await humcli.deposit({ tx_hash: hash, amount_usdc: amount })
  } catch (err) {
    if (!(err instanceof HumcliError && err.status === 409)) throw err
  }
}

/** Waits for the credit with a live line: confirmations counted on the agent's own node. */
async function waitCredited(
  humcli: Humcli,
  c: Clients,
  sent: { hash: string; block: bigint },
  where: { confirmations: number },
  timeoutMs: number,
): Promise<DepositStatus> {
  const started = Date.now()
  const live = liveLine(`tx ${sent.hash.slice(0, 10)}…`, started, { linePerChange: true })
  let state = 'NOT_SEEN'
  let confirmations = 1
  const show = () => {
    const count = `${Math.min(confirmations, where.confirmations)} of ${where.confirmations} confirmations`
    live.set(
      state === 'NOT_SEEN'
        ? `mined, ${count}; not recorded by the server yet`
        : state === 'REORGED'
          ? 'dropped by a reorg; waiting for it to be mined again'
          : state === 'CONFIRMED'
            ? 'credited'
            : `pending, ${count}`,
    )
  }
  const counter = setInterval(async () => {
    try {
      confirmations = Number((await c.pub.getBlockNumber()) - sent.block + 1n)
      show()
    } catch {} // the count is shown for information; the server decides the credit
  }, 1_000)
  try {
    return await humcli.deposits.waitForCredit(sent.hash, {
      timeoutMs,
      initialDelayMs: 1_000,
      maxDelayMs: 5_000,
      onStatus: (s) => {
        state = s
        show()
      },
    })
  } catch (err) {
    if (err instanceof WaitTimeoutError) {
      throw fail(
        `tx ${sent.hash} is mined but not credited after ${elapsed(Date.now() - started)} (still ${state}); the server credits it by itself once confirmed: check with \`${run('balance')}\`, or raise --timeout.`,
        EXIT.TIMEOUT,
      )
    }
    throw err
  } finally {
    clearInterval(counter)
    live.stop()
  }
}

/**
 * `humcli deposit --amount 25 --private-key-file F`: sends the USDC transfer to the deposit address
 * from the agent's bound wallet, reports it, and waits until the server credits it (ADR 0018).
 */
export async function depositOnChain(cmd: Command, flags: ChainDepositFlags): Promise<void> {
  if (flags.amount === undefined) {
    throw fail('--private-key-file sends a transfer: say how much with --amount <usd>.', EXIT.USAGE)
  }
  const amount = flags.amount
  const account = await accountFromKeyFile(flags.privateKeyFile, WHAT)
  const done = await withClient(cmd, WHAT, async ({ humcli }) => {
    const where = await preflight(humcli, account, flags.privateKeyFile)
    const clients = await chainClients(rpcUrlFor(flags, where.chain_id), account, where.chain_id)
    const sent = await sendTransfer(clients, account, where, usdToMicros(amount, 'amount'))
    await report(humcli, sent.hash, amount)
    return waitCredited(humcli, clients, sent, where, flags.timeout ?? 30 * 60_000)
  })
  if (flags.json) return printJson(done)
  out(`Deposit ${done.deposits[0]!.deposit_id}: ${usd(done.amount_usdc)} CONFIRMED (tx ${done.tx_hash}).`)
}
