import { secp256k1 } from '@noble/curves/secp256k1.js'
import type { Address, Hex, PrivateKeyAccount, PublicClient } from 'viem'
import type { Config } from '../config.ts'
import type { ChainConfig } from '../config-chain.ts'
import { ConfigError } from '../config-read.ts'
import { DomainError } from '../domain/errors.ts'
import { addressOfPublicKey } from '../domain/evm.ts'
import type {
  ChainBalances,
  ChainPort,
  ChainWatch,
  DepositCheck,
  DepositClaim,
  ObservedTransfer,
  PayoutInput,
  PayoutLookup,
  PayoutPreflight,
  PreparedPayout,
} from './chain.ts'
import { matchDepositTransfers } from './deposit-transfers.ts'
import { describeShortfall, transferData, USDC_ABI } from './evm-abi.ts'

type Viem = typeof import('viem')

interface Loaded {
  viem: Viem
  client: PublicClient
  account: PrivateKeyAccount | null
}

/** Where the node is, without a path or query that may carry an API key. */
const nodeName = (rpcUrl: string) => new URL(rpcUrl).host

/**
 * The chain port for a real EVM chain (Base, Base Sepolia, any EVM chain by configuration) over
 * JSON-RPC with viem (ADR 0018). viem is imported on first use, so a server on the development
 * chain never loads it. The public client has `cacheTime: 0`: confirmations are counted from the
 * node's current block, never from a cached one.
 */
export class EvmChain implements ChainPort {
  readonly name = 'evm'
  readonly sender: string
  readonly watch: ChainWatch
  private loading: Promise<Loaded> | null = null
  private readonly chain: ChainConfig
  private readonly usdc: Address
  private readonly depositAddress: Address

  constructor(
    config: Config,
    /** The hot wallet's private key (`readPayoutKey`); null = payouts are refused. */
    private readonly hotKey: Hex | null,
  ) {
    this.chain = config.chain!
    this.usdc = config.usdcContract as Address
    this.depositAddress = config.depositAddress as Address
    this.sender = hotKey
      ? addressOfPublicKey(secp256k1.getPublicKey(Buffer.from(hotKey.slice(2), 'hex'), false))
      : 'none'
    this.watch = {
      latestBlock: async () => (await this.load()).client.getBlockNumber(),
      transfersTo: (from, to) => this.transfersTo(from, to),
      recheckDeposit: (txHash, wallet) => this.lookupDeposit(txHash, wallet),
      balances: (at) => this.balances(at),
    }
  }

  private load(): Promise<Loaded> {
    this.loading ??= (async () => {
      const viem = await import('viem')
      const { privateKeyToAccount } = await import('viem/accounts')
      const client = viem.createPublicClient({
        transport: viem.http(this.chain.rpcUrl, { timeout: 10_000, retryCount: 1 }),
        cacheTime: 0,
        pollingInterval: Math.min(this.chain.pollMs, 1_000),
      }) as PublicClient
      return { viem, client, account: this.hotKey ? privateKeyToAccount(this.hotKey) : null }
    })()
    return this.loading
  }

  async check(): Promise<void> {
    const { client } = await this.load()
    let chainId: number
    try {
      chainId = await client.getChainId()
    } catch (err) {
      throw new ConfigError(
        `HUMCLI_CHAIN_RPC_URL does not answer JSON-RPC (${nodeName(this.chain.rpcUrl)}: ${(err as Error).message.split('\n')[0]}): ` +
          'check the URL and that the node is running.',
      )
    }
    if (chainId !== this.chain.chainId) {
      throw new ConfigError(
        `HUMCLI_CHAIN_ID is ${this.chain.chainId} but the node at HUMCLI_CHAIN_RPC_URL serves chain ${chainId}: ` +
          'point the URL at a node of the intended chain, or set HUMCLI_CHAIN_ID to match it.',
      )
    }
    const code = await client.getCode({ address: this.usdc })
    if (!code || code === '0x') {
      throw new ConfigError(
        `HUMCLI_USDC_CONTRACT ${this.usdc} has no contract on chain ${chainId}: set it to the USDC contract of that chain.`,
      )
    }
    const decimals = await client.readContract({
      address: this.usdc,
      abi: USDC_ABI,
      functionName: 'decimals',
    })
    if (decimals !== 6) {
      throw new ConfigError(`HUMCLI_USDC_CONTRACT ${this.usdc} has ${decimals} decimals, not USDC's 6.`)
    }
  }

  private async confirmationsOf(client: PublicClient, blockNumber: bigint): Promise<number> {
    const latest = await client.getBlockNumber()
    return latest < blockNumber ? 0 : Number(latest - blockNumber + 1n)
  }

  /** The matching transfers of a transaction, or null when the node has no receipt for it. */
  private async lookupDeposit(txHash: string, wallet: string | null): Promise<DepositCheck | null> {
    const { viem, client } = await this.load()
    let receipt: Awaited<ReturnType<PublicClient['getTransactionReceipt']>>
    try {
      receipt = await client.getTransactionReceipt({ hash: txHash as Hex })
    } catch (err) {
      if (err instanceof viem.TransactionReceiptNotFoundError) return null
      throw err
    }
    const transfers = matchDepositTransfers(
      { txHash, status: receipt.status, logs: receipt.logs },
      { usdcContract: this.usdc, depositAddress: this.depositAddress, wallet },
    )
    const confirmations = await this.confirmationsOf(client, receipt.blockNumber)
    return {
      status: confirmations >= this.chain.confirmations ? 'CONFIRMED' : 'PENDING_CONFIRMATION',
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash,
      transfers,
    }
  }

  async verifyDeposit(claim: DepositClaim): Promise<DepositCheck> {
    const found = await this.lookupDeposit(claim.txHash, claim.agentWallet)
    if (!found) {
      throw new DomainError(
        'NOT_FOUND',
        `Transaction ${claim.txHash} is not mined on chain ${this.chain.chainId} (yet): check the hash; ` +
          'a transfer still pending is credited by the watcher once mined, or report it again then.',
      )
    }
    return found
  }

  private async transfersTo(fromBlock: bigint, toBlock: bigint): Promise<ObservedTransfer[]> {
    const { viem, client } = await this.load()
    const logs = await client.getLogs({
      address: this.usdc,
      event: viem.parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
      args: { to: this.depositAddress },
      fromBlock,
      toBlock,
    })
    return logs.map((l) => ({
      txHash: l.transactionHash,
      logIndex: l.logIndex,
      from: viem.getAddress(l.args.from!),
      amountMicros: l.args.value!,
      blockNumber: l.blockNumber,
      blockHash: l.blockHash,
    }))
  }

  private async usdcOf(client: PublicClient, who: Address, blockNumber: bigint): Promise<bigint> {
    return client.readContract({
      address: this.usdc,
      abi: USDC_ABI,
      functionName: 'balanceOf',
      args: [who],
      blockNumber,
    })
  }

  async balances(atBlock?: bigint): Promise<ChainBalances> {
    const { client, account } = await this.load()
    const blockNumber = atBlock ?? (await client.getBlockNumber())
    const hot = account?.address ?? null
    return {
      blockNumber,
      depositAddress: this.depositAddress,
      depositUsdcMicros: await this.usdcOf(client, this.depositAddress, blockNumber),
      hotWallet: hot,
      hotUsdcMicros: hot ? await this.usdcOf(client, hot, blockNumber) : 0n,
      hotGasWei: hot ? await client.getBalance({ address: hot, blockNumber }) : 0n,
    }
  }

  async preparePayout(input: PayoutInput): Promise<PayoutPreflight> {
    const { client, account } = await this.load()
    if (!account) {
      return {
        kind: 'refuse',
        reason: 'On-chain payouts are not configured on this server (no hot wallet key).',
      }
    }
    const usdc = await this.usdcOf(client, account.address, await client.getBlockNumber())
    if (usdc < input.amountMicros) return describeShortfall('usdc', usdc, input.amountMicros)
    const fees = await client.estimateFeesPerGas()
    if (fees.maxFeePerGas > this.chain.maxFeePerGasWei) {
      return describeShortfall('gas_price', fees.maxFeePerGas, this.chain.maxFeePerGasWei)
    }
    const data = transferData(input.toAddress, input.amountMicros)
    const gas = await client.estimateGas({ account: account.address, to: this.usdc, data })
    const gasWei = await client.getBalance({ address: account.address })
    if (gasWei < gas * fees.maxFeePerGas) return describeShortfall('gas', gasWei, gas * fees.maxFeePerGas)
    const chainNonce = BigInt(
      await client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
    )
    return {
      kind: 'ready',
      prepared: {
        ...input,
        // 20% over the estimate: the same call, but state may move between estimate and mining.
        gas: (gas * 12n) / 10n,
        maxFeePerGas: fees.maxFeePerGas,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
        chainNonce,
      },
    }
  }

  async signPayout(p: PreparedPayout, nonce: bigint): Promise<{ rawTx: string; txHash: string }> {
    const { viem, account } = await this.load()
    const rawTx = await account!.signTransaction({
      type: 'eip1559',
      chainId: this.chain.chainId,
      to: this.usdc,
      data: transferData(p.toAddress, p.amountMicros),
      value: 0n,
      gas: p.gas,
      nonce: Number(nonce),
      maxFeePerGas: p.maxFeePerGas,
      maxPriorityFeePerGas: p.maxPriorityFeePerGas,
    })
    return { rawTx, txHash: viem.keccak256(rawTx) }
  }

  async broadcast(rawTx: string): Promise<{ ok: true } | { ok: false; wait: string }> {
    const { client } = await this.load()
    try {
      await client.sendRawTransaction({ serializedTransaction: rawTx as Hex })
      return { ok: true }
    } catch (err) {
      const text = String((err as Error).message).toLowerCase()
      // Sent before (a rebroadcast after a crash), or already mined: the look-up tells which.
      if (/already known|known transaction|nonce too low|already imported/.test(text)) return { ok: true }
      if (/insufficient funds/.test(text)) {
        return { ok: false, wait: 'the hot wallet has too little gas money (ETH) for this transfer' }
      }
      throw err
    }
  }

  async lookupPayout(input: { txHash: string; nonce: bigint }): Promise<PayoutLookup> {
    const { viem, client, account } = await this.load()
    try {
      const receipt = await client.getTransactionReceipt({ hash: input.txHash as Hex })
      const confirmations = await this.confirmationsOf(client, receipt.blockNumber)
      if (receipt.status === 'reverted') return { state: 'reverted', blockNumber: receipt.blockNumber }
      if (confirmations < this.chain.confirmations) return { state: 'confirming', confirmations }
      return { state: 'confirmed', blockNumber: receipt.blockNumber }
    } catch (err) {
      if (!(err instanceof viem.TransactionReceiptNotFoundError)) throw err
    }
    try {
      await client.getTransaction({ hash: input.txHash as Hex })
      return { state: 'pending' }
    } catch (err) {
      if (!(err instanceof viem.TransactionNotFoundError)) throw err
    }
    const mined = await client.getTransactionCount({ address: account!.address, blockTag: 'latest' })
    return BigInt(mined) > input.nonce ? { state: 'replaced' } : { state: 'unknown' }
  }
}
