/**
 * Request and response shapes of the humcli API, inferred from the TypeBox schemas of
 * `@humcli/contract` — the same schemas the server's routes declare and its tests check every
 * reply against. The names below are the SDK's stable names for them.
 * Money is USD as JSON numbers at this edge; times are ISO-8601 strings.
 */
import type * as C from '@humcli/contract'

export type {
  AdminPayout,
  AdminTask,
  AdminTaskSummary,
  AgentProfile,
  AgentRestriction,
  AgentTier,
  ApiKeySummary,
  ApprovedEstimate,
  Balance,
  CancelledTask,
  CreatedTask,
  CredentialField,
  Deposit,
  Estimate,
  GuardianResult,
  KycDecision,
  KycSubmitted,
  LedgerCheck,
  LedgerLine,
  NewApiKey,
  OperatorProfile,
  OperatorRegistration,
  OperatorTask,
  Payout,
  Rating,
  ReconciledPayout,
  RejectedEstimate,
  ReleasedTask,
  ResolvedDispute,
  RevokedKey,
  StartedTask,
  Task,
  TaskDomain,
  TaskStatus,
  TaskSummary,
  TaskType,
  Tier,
  TierLimits,
  Transition,
  WebhookDelivery,
  WebhookEndpoint,
} from '@humcli/contract'
export { TASK_STATUSES, TASK_TYPES } from '@humcli/contract/enums'

export interface Page<T> {
  data: T[]
  pagination: C.PageInfo
}
/** A page of a list that also pages by keyset: pass `next_cursor` as `cursor` (null: the last page). */
export interface CursorPage<T> {
  data: T[]
  pagination: C.PageInfo & { next_cursor: string | null }
}
export interface PageParams {
  limit?: number
  offset?: number
}

// ── agents ──────────────────────────────────────────────────────────────────────────────────
export type RegisterInput = C.RegisterAgentBody
export type Registration = C.AgentRegistration
export type DepositInput = Omit<C.DepositBody, 'chain'> & { chain?: C.DepositBody['chain'] }
/** `POST /agents/wallet/challenge`: sign `message` unchanged with personal_sign (EIP-191). */
export type WalletChallenge = C.WalletChallengeReply
export type BindWalletInput = C.BindWalletBody
export type BoundWallet = C.BoundWalletReply
export type DepositAddress = C.DepositAddressReply
/** `GET /agents/deposits/{tx_hash}`: whether a transaction's deposits are credited yet. */
export type DepositStatus = C.DepositStatus
export type VerificationSent = C.ResendVerificationReply

// ── tasks ───────────────────────────────────────────────────────────────────────────────────
export type Location = C.TaskLocation
export type CreateTaskInput = Omit<C.CreateTaskBody, 'deadline'> & {
  /** ISO-8601 time (or a Date), in the future, at most 90 days ahead. */
  deadline: string | Date
}
/** What the server read from a proof photo before storing it without metadata. */
export type PhotoDetails = C.ProofPhotoDetails
export type TaskProof = C.TaskProof
export interface ListTasksParams extends PageParams {
  /** The `next_cursor` of the previous page: the same cost at any depth (not with `offset`). */
  cursor?: string
  status?: C.TaskStatus
  task_type?: C.TaskType
}
export type VerifyInput = C.VerifyBody
export type RatingInput = C.RatingBody
export type CredentialValues = Partial<Record<C.CredentialField, string>>
/** Sealed boxes (base64) with `x25519-sealedbox`, plain strings with `none`. */
export type CredentialResponse = C.RetrieveCredentialResponse

// ── webhooks ────────────────────────────────────────────────────────────────────────────────
export type WebhookEvent = C.EndpointEvent
export type CreateWebhookInput = C.CreateWebhookBody
/** The body of a per-task callback (compat). */
export type TaskStatusChangedEvent = C.TaskStatusChangedEvent

// ── operators ───────────────────────────────────────────────────────────────────────────────
export type AcceptedTask = C.AcceptedEstimate
export type Earnings = C.OperatorEarnings
export type OperatorToken = C.AccessToken
export type RegisterOperatorInput = C.RegisterOperatorBody
export type LoginInput = C.LoginBody
export type BrowseParams = PageParams & Omit<C.BrowseQuery, 'limit' | 'offset'>
export type MyTasksParams = PageParams & { status?: C.TaskStatus }
export type AcceptInput = C.AcceptBody
export type ProofSubmitted = C.ProofSubmitted
export type PayoutInput = C.PayoutBody

// ── admin ───────────────────────────────────────────────────────────────────────────────────
export type ReviewInput = C.ReviewBody
export type ResolveInput = C.ResolveBody
export type ReconcileInput = C.ReconcilePayoutBody
