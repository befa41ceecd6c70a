import { DomainError, invalid } from '../domain/errors.ts'
import { checksumAddress } from '../domain/evm.ts'
import type { DepositTransfer } from './chain.ts'

/** keccak256("Transfer(address,address,uint256)"): topic 0 of every ERC-20 Transfer log. */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

export interface ReceiptLog {
  address: string
  logIndex: number
  topics: readonly string[]
  data: string
}

export interface ReceiptFacts {
  txHash: string
  status: 'success' | 'reverted'
  logs: readonly ReceiptLog[]
}

export interface DepositRules {
  usdcContract: string
  depositAddress: string
  /** The agent's bound wallet; null = none bound yet. */
  wallet: string | null
}

interface Transfer {
  contract: string
  logIndex: number
  from: string
  to: string
  amount: bigint
}

const topicAddress = (topic: string) => checksumAddress(`0x${topic.slice(-40)}`)

/** The ERC-20 Transfer logs of a receipt, decoded (logs of other events are skipped). */
export function transferLogs(logs: readonly ReceiptLog[]): Transfer[] {
  return logs
    .filter((l) => l.topics.length === 3 && l.topics[0]?.toLowerCase() === TRANSFER_TOPIC)
    .map((l) => ({
      contract: checksumAddress(l.address),
      logIndex: l.logIndex,
      from: topicAddress(l.topics[1]!),
      to: topicAddress(l.topics[2]!),
      amount: BigInt(l.data === '0x' ? 0 : l.data),
    }))
}

const refuse = (message: string) => invalid('tx_hash', message)

/**
 * The transfers of a receipt that may be credited (spec §4): the receipt succeeded, and each
 * log is a Transfer of the configured USDC contract from the agent's bound wallet to the deposit
 * address. When there is none, the error says which condition failed, so the agent can tell a
 * mistyped hash from a transfer sent from the wrong wallet.
 */
export function matchDepositTransfers(receipt: ReceiptFacts, rules: DepositRules): DepositTransfer[] {
  const tx = receipt.txHash
  if (receipt.status !== 'success') {
    throw refuse(`Transaction ${tx} reverted on chain and moved no USDC: nothing is credited.`)
  }
  const all = transferLogs(receipt.logs)
  if (all.length === 0) throw refuse(`Transaction ${tx} has no Transfer log: it is not a token transfer.`)
  const usdc = all.filter((t) => t.contract === rules.usdcContract)
  if (usdc.length === 0) {
    throw refuse(
      `Transaction ${tx} transfers the token at ${all[0]!.contract}, not USDC (${rules.usdcContract}): only USDC is credited.`,
    )
  }
  const toUs = usdc.filter((t) => t.to === rules.depositAddress)
  if (toUs.length === 0) {
    throw refuse(
      `Transaction ${tx} sends USDC to ${usdc[0]!.to}, not to the deposit address ${rules.depositAddress} (GET /agents/deposit-address).`,
    )
  }
  if (!rules.wallet) {
    throw new DomainError(
      'VALIDATION_FAILED',
      'Bind the wallet you deposit from first (POST /agents/wallet/challenge, then PUT /agents/wallet): ' +
        'deposits are credited only from a bound wallet.',
      [{ path: 'tx_hash', message: 'no wallet bound' }],
    )
  }
  const mine = toUs.filter((t) => t.from === rules.wallet)
  if (mine.length === 0) {
    throw refuse(
      `Transaction ${tx} sends USDC from ${toUs[0]!.from}, not from your bound wallet ${rules.wallet}: ` +
        'only transfers from the bound wallet are credited to you.',
    )
  }
  return mine.map((t) => ({ logIndex: t.logIndex, amountMicros: t.amount, from: t.from }))
}
