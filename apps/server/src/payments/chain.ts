import { randomBytes } from 'node:crypto'
import { DomainError } from '../domain/errors.ts'

/** One USDC transfer into the deposit address that a deposit report or the watcher found. */
export interface DepositTransfer {
  logIndex: number
  amountMicros: bigint
  /** The sender, in EIP-55 form ('' on the development chain). */
  from: string
}

/**
 * What a chain says about a deposit transaction. The ledger credits the transfers' amounts,
 * never the client's claim; `blockHash` lets a later look-up notice a reorg.
 */
export interface DepositCheck {
  status: 'CONFIRMED' | 'PENDING_CONFIRMATION'
  blockNumber: bigint | null
  blockHash: string | null
  transfers: DepositTransfer[]
}

export interface DepositClaim {
  chain: string
  txHash: string
  claimedAmountMicros: bigint | null
  agentWallet: string | null
}

/** A Transfer log into the deposit address, as the watcher reads them block range by block range. */
export interface ObservedTransfer extends DepositTransfer {
  txHash: string
  blockNumber: bigint
  blockHash: string
}

/** Balances `humcli admin chain-status` reports and reconciles. */
export interface ChainBalances {
  blockNumber: bigint
  depositAddress: string
  depositUsdcMicros: bigint
  hotWallet: string | null
  hotUsdcMicros: bigint
  hotGasWei: bigint
}

/** The parts of a real chain the deposit watcher needs; the development chain has none. */
export interface ChainWatch {
  latestBlock(): Promise<bigint>
  transfersTo(fromBlock: bigint, toBlock: bigint): Promise<ObservedTransfer[]>
  /** Looks a reported or seen deposit up again: null when the chain no longer has its receipt. */
  recheckDeposit(txHash: string, agentWallet: string): Promise<DepositCheck | null>
  balances(atBlock?: bigint): Promise<ChainBalances>
}

/** A payout ready to sign: the chain's gas estimate and fees, and the sender's nonce on chain. */
export interface PreparedPayout {
  payoutId: string
  toAddress: string
  amountMicros: bigint
  gas: bigint
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  /** The sender's next nonce as the chain counts it (pending transactions included). */
  chainNonce: bigint
}

export interface PayoutInput {
  payoutId: string
  toAddress: string
  amountMicros: bigint
}

export type PayoutPreflight =
  | { kind: 'ready'; prepared: PreparedPayout }
  /** Not now (the hot wallet is short of USDC or gas, gas is above the cap): try again later. */
  | { kind: 'wait'; reason: string; short: 'usdc' | 'gas' | 'gas_price' }
  /** Never: the payout certainly was not sent and its money goes back to the operator. */
  | { kind: 'refuse'; reason: string }

export type PayoutLookup =
  | { state: 'confirmed'; blockNumber: bigint }
  | { state: 'reverted'; blockNumber: bigint }
  | { state: 'confirming'; confirmations: number }
  /** Known to the node, not mined yet. */
  | { state: 'pending' }
  /** The node has never heard of it: broadcast the same bytes again. */
  | { state: 'unknown' }
  /** Its nonce was used by another transaction: it can never be mined; staff reconcile it. */
  | { state: 'replaced' }

/**
 * The port between the ledger and a blockchain (ADR 0018). The development chain confirms
 * deposits at once (compat with the sandbox docs) and "mines" payouts at once; `EvmChain`
 * (evm-chain.ts) implements it for Base or any EVM chain with viem.
 *
 * Payouts go in steps so a crash can never pay twice (send-payout.ts): `preparePayout` (network),
 * `signPayout` (local, with a nonce the database hands out), the signed bytes are committed,
 * then `broadcast`, then `lookupPayout` until the transfer has its confirmations.
 */
export interface ChainPort {
  readonly name: string
  /** The hot wallet payouts are sent from ('dev' on the development chain). */
  readonly sender: string
  /** Start-up check: throws a `ConfigError` naming the setting that is wrong. */
  check?(): Promise<void>
  verifyDeposit(claim: DepositClaim): Promise<DepositCheck>
  readonly watch?: ChainWatch
  preparePayout(input: PayoutInput): Promise<PayoutPreflight>
  signPayout(prepared: PreparedPayout, nonce: bigint): Promise<{ rawTx: string; txHash: string }>
  /** Sends signed bytes; `wait` when the node refuses them for now (e.g. not enough gas money). */
  broadcast(rawTx: string): Promise<{ ok: true } | { ok: false; wait: string }>
  lookupPayout(input: { txHash: string; nonce: bigint }): Promise<PayoutLookup>
}

export class DevChain implements ChainPort {
  readonly name = 'dev'
  readonly sender = 'dev'
  async verifyDeposit(claim: DepositClaim): Promise<DepositCheck> {
    if (claim.claimedAmountMicros === null || claim.claimedAmountMicros <= 0n) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'The development chain cannot read amounts from a chain: pass `amount_usdc` greater than 0.',
        [{ path: 'amount_usdc', message: 'required in development mode' }],
      )
    }
    return {
      status: 'CONFIRMED',
      blockNumber: null,
      blockHash: null,
      transfers: [{ logIndex: 0, amountMicros: claim.claimedAmountMicros, from: claim.agentWallet ?? '' }],
    }
  }
  async preparePayout(input: PayoutInput): Promise<PayoutPreflight> {
    return {
      kind: 'ready',
      prepared: { ...input, gas: 0n, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, chainNonce: 0n },
    }
  }
  async signPayout(_prepared: PreparedPayout, _nonce: bigint): Promise<{ rawTx: string; txHash: string }> {
    return { rawTx: '0x', txHash: `0x${randomBytes(32).toString('hex')}` }
  }
  async broadcast(): Promise<{ ok: true }> {
    return { ok: true }
  }
  async lookupPayout(): Promise<PayoutLookup> {
    return { state: 'confirmed', blockNumber: 0n }
  }
}

/** Production without an on-chain verifier configured: refuse rather than trust the client. */
export class NoChain implements ChainPort {
  readonly name = 'none'
  readonly sender = 'none'
  async verifyDeposit(): Promise<DepositCheck> {
    throw new DomainError(
      'FORBIDDEN',
      'On-chain deposits are not configured on this server; ask the operator to credit your account with `humcli admin credit`.',
    )
  }
  async preparePayout(): Promise<PayoutPreflight> {
    return { kind: 'refuse', reason: 'On-chain payouts are not configured on this server.' }
  }
  async signPayout(): Promise<never> {
    throw new Error('NoChain signs nothing')
  }
  async broadcast(): Promise<never> {
    throw new Error('NoChain sends nothing')
  }
  async lookupPayout(): Promise<PayoutLookup> {
    return { state: 'unknown' }
  }
}
