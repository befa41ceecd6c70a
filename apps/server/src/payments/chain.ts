import { randomBytes } from 'node:crypto'
import { DomainError } from '../domain/errors.ts'

/** What a chain says about a deposit transaction. The ledger credits `amountMicros`, never the client's claim. */
export interface VerifiedDeposit {
  status: 'CONFIRMED' | 'PENDING_CONFIRMATION'
  logIndex: number
  amountMicros: bigint
}

export interface DepositClaim {
  chain: string
  txHash: string
  claimedAmountMicros: bigint | null
  agentWallet: string | null
}

/**
 * The port between the ledger and a blockchain. The development chain confirms deposits at once
 * (compat with the sandbox docs); an on-chain verifier implements the same interface.
 */
export interface ChainPort {
  readonly name: string
  verifyDeposit(claim: DepositClaim): Promise<VerifiedDeposit>
  /**
   * Sends `amountMicros` of USDC to `toAddress`. Throws only when the payout was certainly not
   * sent (the funds then go back to the operator); `payoutId` lets an adapter deduplicate on its
   * side. The caller calls this at most once per payout (`sendPayout` in send-payout.ts).
   */
  sendPayout(input: {
    toAddress: string
    amountMicros: bigint
    payoutId: string
  }): Promise<{ txHash: string }>
}

export class DevChain implements ChainPort {
  readonly name = 'dev'
  async verifyDeposit(claim: DepositClaim): Promise<VerifiedDeposit> {
    if (claim.claimedAmountMicros === null || claim.claimedAmountMicros <= 0n) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'The development chain cannot read amounts from a chain: pass `amount_usdc` greater than 0.',
        [{ path: 'amount_usdc', message: 'required in development mode' }],
      )
    }
    return { status: 'CONFIRMED', logIndex: 0, amountMicros: claim.claimedAmountMicros }
  }
  async sendPayout(): Promise<{ txHash: string }> {
    return { txHash: `0x${randomBytes(32).toString('hex')}` }
  }
}

/** Production without an on-chain verifier configured: refuse rather than trust the client. */
export class NoChain implements ChainPort {
  readonly name = 'none'
  async verifyDeposit(): Promise<VerifiedDeposit> {
    throw new DomainError(
      'FORBIDDEN',
      'On-chain deposits are not configured on this server; ask the operator to credit your account with `humcli admin credit`.',
    )
  }
  async sendPayout(): Promise<{ txHash: string }> {
    throw new DomainError('FORBIDDEN', 'On-chain payouts are not configured on this server.')
  }
}
