/** Ledger account names. `external:*` accounts stand for the world outside and may go negative. */
export const accounts = {
  agentAvailable: (agentId: string) => `agent:${agentId}:available`,
  agentEscrow: (agentId: string) => `agent:${agentId}:escrow`,
  operatorPending: (operatorId: string) => `operator:${operatorId}:pending`,
  operatorAvailable: (operatorId: string) => `operator:${operatorId}:available`,
  operatorPaidOut: (operatorId: string) => `operator:${operatorId}:paid_out`,
  /** Requested payouts not yet confirmed or failed on chain (`requestPayout` → `sendPayout`). */
  operatorPayoutInFlight: (operatorId: string) => `operator:${operatorId}:payout_in_flight`,
  platformRevenue: 'platform:revenue',
  /** The gas fee taken from each payout: the platform pays the network's gas from it (ADR 0018). */
  platformGasFees: 'platform:gas_fees',
  externalChain: 'external:chain',
  externalAdmin: 'external:admin_credit',
} as const

export const mayGoNegative = (accountId: string) => accountId.startsWith('external:')
