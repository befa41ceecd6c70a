// What the staff endpoints answer (spec §7): review queues, decisions, payouts, ledger check.
import { type Static, Type } from '@sinclair/typebox'
import { Payout } from './accounts.ts'
import { Money, Nullable, PageOf, StringEnum, Timestamp } from './common.ts'
import { TIERS } from './enums.ts'
import { KYC_STATUSES } from './operator.ts'
import { Resolution, Task, TaskStatusReply, TaskSummary } from './task-replies.ts'

export const AdminTaskSummary = Type.Object({
  ...TaskSummary.properties,
  agent_id: Type.String(),
  verify_reason: Nullable(Type.String()),
  resolution: Nullable(Resolution),
  updated_at: Timestamp(),
})
export type AdminTaskSummary = Static<typeof AdminTaskSummary>
export const AdminTaskPage = PageOf(AdminTaskSummary)

/** Per photo of an admin task: capture time against the work window, distance from the task. */
export const PhotoFacts = Type.Object(
  {
    taken_within_work_window: Nullable(Type.Boolean()),
    work_window: Type.Object({ from: Nullable(Type.String()), to: Nullable(Type.String()) }),
    distance_from_task_m: Nullable(Type.Number()),
    within_radius: Nullable(Type.Boolean()),
  },
  { additionalProperties: true },
)
/** A photo of another task that the reuse check matched. */
export const ReuseMatch = Type.Object(
  {
    own_photo: Nullable(Type.String()),
    distance_bits: Type.Integer({ description: 'Hamming distance of the perceptual hashes' }),
    file_id: Type.String(),
    url: Type.String(),
    task_id: Nullable(Type.String()),
    task_title: Nullable(Type.String()),
    task_status: Nullable(Type.String()),
    operator_id: Nullable(Type.String()),
  },
  { additionalProperties: true },
)
export const TaskLedgerLine = Type.Object(
  {
    transaction_id: Type.String(),
    kind: Type.String(),
    account: Type.String(),
    amount_usd: Type.Number(),
    at: Type.String(),
  },
  { additionalProperties: true },
)

/** Any task as its agent sees it, plus whose it is. */
export const AdminTask = Type.Object({
  ...Task.properties,
  agent_id: Type.String(),
  photo_facts: Type.Array(PhotoFacts, { description: 'Per photo, the facts read against the task' }),
  reuse_matches: Type.Array(ReuseMatch, { description: 'Earlier proofs with near-identical photos' }),
  ledger: Type.Array(TaskLedgerLine, { description: "The task's ledger lines" }),
})
export type AdminTask = Static<typeof AdminTask>

export const ReviewedTask = TaskStatusReply
export const ResolvedDispute = Type.Object({
  ...TaskStatusReply.properties,
  outcome: StringEnum(['PAY_OPERATOR', 'REFUND_AGENT', 'SPLIT'] as const),
  resolution: Resolution,
  agent_restricted: Type.Boolean({ description: 'The overturned rejection restricted the agent' }),
})
export type ResolvedDispute = Static<typeof ResolvedDispute>

export const KycDecision = Type.Object({
  operator_id: Type.String(),
  kyc_status: StringEnum(KYC_STATUSES),
  kyc_reason: Nullable(Type.String()),
})
export const AgentTier = Type.Object({ agent_id: Type.String(), tier: StringEnum(TIERS) })
export const AgentRestriction = Type.Object({ agent_id: Type.String(), restricted: Type.Boolean() })

export const AdminPayout = Type.Object({
  ...Payout.properties,
  operator_id: Type.String(),
  send_attempted_at: Nullable(Timestamp(), {
    description: 'Set once the chain was called; PENDING_ONCHAIN with this set may need reconciling',
  }),
})
export type AdminPayout = Static<typeof AdminPayout>
export const AdminPayoutPage = PageOf(AdminPayout)
export const ReconciledPayout = Type.Object({ ...Payout.properties, operator_id: Type.String() })

/** USDC sent to the deposit address from a wallet no agent has bound: kept for staff, never credited. */
export const UnattributedTransfer = Type.Object({
  chain: Type.String(),
  tx_hash: Type.String(),
  log_index: Type.Integer({ description: 'Which Transfer log of the transaction' }),
  from_address: Type.String({ description: 'The sending wallet (EIP-55)' }),
  amount_usd: Money('What the transfer moved'),
  block_number: Type.Integer(),
  seen_at: Timestamp('When the watcher recorded it, once it had its confirmations'),
})
export type UnattributedTransfer = Static<typeof UnattributedTransfer>
export const UnattributedTransferPage = PageOf(UnattributedTransfer)
export type UnattributedTransferPage = Static<typeof UnattributedTransferPage>

export const LedgerCheck = Type.Object({
  ok: Type.Boolean(),
  transactions: Type.Integer(),
  accounts: Type.Integer(),
  problems: Type.Array(Type.String()),
})
export type LedgerCheck = Static<typeof LedgerCheck>

export type AdminTaskPage = Static<typeof AdminTaskPage>
export type PhotoFacts = Static<typeof PhotoFacts>
export type ReuseMatch = Static<typeof ReuseMatch>
export type TaskLedgerLine = Static<typeof TaskLedgerLine>
export type ReviewedTask = Static<typeof ReviewedTask>
export type KycDecision = Static<typeof KycDecision>
export type AgentTier = Static<typeof AgentTier>
export type AgentRestriction = Static<typeof AgentRestriction>
export type AdminPayoutPage = Static<typeof AdminPayoutPage>
export type ReconciledPayout = Static<typeof ReconciledPayout>
