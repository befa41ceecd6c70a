/**
 * Request and response shapes of the agent API (spec §3–5, §9), written by hand for SDK users.
 * Money is USD as JSON numbers at this edge; times are ISO-8601 strings.
 * `test/sdk/types-drift.test.ts` checks the enums against the server's own lists.
 */

export const TASK_STATUSES = [
  'PENDING',
  'ESTIMATE_PENDING',
  'ACCEPTED',
  'IN_PROGRESS',
  'SUBMITTED',
  'VERIFIED',
  'COMPLETED',
  'MANUAL_REVIEW',
  'DISPUTED',
  'CANCELLED',
] as const
export type TaskStatus = (typeof TASK_STATUSES)[number]

export const TASK_TYPES = [
  'VERIFICATION',
  'PHOTO',
  'DELIVERY',
  'INSPECTION',
  'CAPTCHA_SOLVING',
  'FORM_FILLING',
  'CONTENT_REVIEW',
  'DATA_VALIDATION',
  'BROWSER_NAVIGATION',
  'ACCOUNT_CREATION',
  'API_KEY_PROCUREMENT',
  'PHONE_VERIFICATION',
  'SUBSCRIPTION_SETUP',
] as const
export type TaskType = (typeof TASK_TYPES)[number]
export type TaskDomain = 'PHYSICAL' | 'DIGITAL' | 'CREDENTIAL'
export type Tier = 'SANDBOX' | 'VERIFIED' | 'STANDARD'

export interface Page<T> {
  data: T[]
  pagination: { limit: number; offset: number; total: number }
}
export interface PageParams {
  limit?: number
  offset?: number
}

// ── agents ──────────────────────────────────────────────────────────────────────────────────

export interface TierLimits {
  maxDailyTasks: number
  maxTaskValue: number
  maxDailySpend: number
}
export interface RegisterInput {
  name: string
  email: string
  company?: string
}
export interface Registration {
  agent_id: string
  api_key: string
  tier: Tier
  verification_required: boolean
  sandbox_info: { what: string; why: string; how_to_upgrade: string; limits: TierLimits }
  message: string
}
export interface Balance {
  deposit_balance: number
  escrow_balance: number
  currency: 'USD'
}
export interface AgentProfile {
  agent_id: string
  name: string
  email: string
  company: string | null
  tier: Tier
  limits: TierLimits
  usage_today: { tasks: number; spend_usd: number; remaining_tasks: number }
  wallet_address: string | null
  email_verified: boolean
  restricted: boolean
  restricted_reason: string | null
  balance: Balance
  created_at: string
}
export interface ApiKeySummary {
  id: string
  name: string
  key_prefix: string
  last_used_at: string | null
  created_at: string
}
export interface NewApiKey {
  id: string
  name: string
  /** The whole key, shown this once. */
  key: string
  api_key: string
  key_prefix: string
  created_at: string
}
export interface RevokedKey {
  id: string
  revoked_at: string
}
export interface LedgerLine {
  id: string
  transaction_id: string
  kind: string
  account: 'deposit' | 'escrow'
  amount_usd: number
  task_id: string | null
  memo: string | null
  created_at: string
}
export interface DepositInput {
  tx_hash: string
  amount_usdc?: number
  chain?: 'base'
}
export interface Deposit {
  deposit_id: string
  tx_hash: string
  chain: string
  amount_usdc: number
  status: 'PENDING_CONFIRMATION' | 'CONFIRMED'
  created_at: string
}

/** `POST /agents/wallet/challenge`: sign `message` unchanged with personal_sign (EIP-191). */
export interface WalletChallenge {
  chain: 'base'
  nonce: string
  issued_at: string
  expires_at: string
  message: string
}
export interface BindWalletInput {
  wallet_address: string
  /** The personal_sign signature of the challenge message (0x + 130 hex digits). */
  signature: string
  nonce: string
}
export interface BoundWallet {
  agent_id: string
  chain: 'base'
  wallet_address: string
  bound_at: string
}
export interface DepositAddress {
  chain: 'base'
  token: 'USDC'
  token_contract: string
  address: string
}

// ── tasks ───────────────────────────────────────────────────────────────────────────────────

export interface Location {
  lat: number
  lng: number
  address?: string | null
}
export interface CreateTaskInput {
  title: string
  description: string
  task_type: TaskType
  reward_usd: number
  /** ISO-8601 time (or a Date), in the future, at most 90 days ahead. */
  deadline: string | Date
  proof_requirements: string[]
  location?: Location
  location_radius_m?: number
  digital_instructions?: string
  /** Base64 X25519 public key (see `generateKeyPair`) for credential tasks. */
  agent_public_key?: string
  callback_url?: string
  callback_secret?: string
  metadata?: Record<string, string>
}
export interface TaskSummary {
  task_id: string
  title: string
  status: TaskStatus
  task_type: TaskType
  reward_usd: number
  operator_id: string | null
  created_at: string
  deadline: string
}
export interface Estimate {
  estimate_days: number
  estimate_hours: number
  estimate_minutes: number
  total_minutes: number
  note: string | null
  submitted_at: string
  expires_at: string
}
/**
 * What the server read from a proof photo before storing it without metadata: the EXIF capture
 * time (ISO-8601, with the camera's UTC offset when it wrote one), GPS and camera, or null.
 */
export interface PhotoDetails {
  width: number | null
  height: number | null
  original_type: string
  taken_at: string | null
  gps: { lat: number; lng: number } | null
  camera: string | null
}

export interface GuardianResult {
  decision: 'VERIFIED' | 'MANUAL_REVIEW' | 'RESUBMIT'
  confidence: number
  reasoning: string
  checks: Array<Record<string, unknown>>
}
export interface Transition {
  from: TaskStatus | null
  to: TaskStatus
  at: string
  actor: string
  reason: string | null
}
export interface Task extends TaskSummary {
  description: string
  domain: TaskDomain
  proof_requirements: string[]
  location: Location | null
  location_radius_m: number
  digital_instructions: string | null
  agent_public_key: string | null
  callback_url: string | null
  metadata: Record<string, string> | null
  platform_fee_usd: number
  escrow_usd: number
  operator: { operator_id: string; name: string; rating: number } | null
  estimate: Estimate | null
  /** `photos` are signed URLs that expire; `photo_details[i]` is what the server read from photo i. */
  proof: {
    photos: string[]
    notes: string | null
    submittedAt: string
    photo_details: PhotoDetails[]
  } | null
  guardian_result: GuardianResult | null
  verify_reason: string | null
  resolution: Record<string, unknown> | null
  transitions: Transition[]
  accepted_at: string | null
  started_at: string | null
  submitted_at: string | null
  completed_at: string | null
  cancelled_at: string | null
  cancel_reason: string | null
  sandbox: boolean
  sandbox_notice?: string
  credential_available: boolean
}
/** The create response also carries a generated `callback_secret` (once) when none was given. */
export interface CreatedTask extends Task {
  callback_secret?: string
}
export interface ListTasksParams extends PageParams {
  status?: TaskStatus
  task_type?: TaskType
}
export interface ApprovedEstimate {
  task_id: string
  status: 'ACCEPTED'
  accepted_at: string
  operator: { name: string; rating: number }
  estimate_minutes: number | null
}
export interface RejectedEstimate {
  task_id: string
  status: 'PENDING'
  message: string
}
export interface VerifyInput {
  decision: 'APPROVE' | 'REJECT'
  reason?: string
}
export interface CancelledTask {
  task_id: string
  status: 'CANCELLED'
  refunded_usd: number
  cancelled_at: string
}
export interface RatingInput {
  score: 1 | 2 | 3 | 4 | 5
  comment?: string
}
export interface Rating {
  task_id: string
  score: number
  comment: string | null
  created_at: string
}
export type CredentialField = 'username' | 'password' | 'api_key' | 'notes'
export type CredentialValues = Partial<Record<CredentialField, string>>
export interface CredentialResponse {
  task_id: string
  /** Sealed boxes (base64) with `x25519-sealedbox`, plain strings with `none`. */
  encrypted_credential: CredentialValues
  encryption: 'x25519-sealedbox' | 'none'
}

// ── webhooks ────────────────────────────────────────────────────────────────────────────────

export type WebhookEvent =
  | 'task.status_changed'
  | 'task.estimate_submitted'
  | 'task.proof_submitted'
  | 'task.guardian_reviewed'
  | 'deposit.confirmed'
  | 'payout.updated'
  | 'webhook_endpoint.disabled'
  | '*'
export interface CreateWebhookInput {
  url: string
  events: WebhookEvent[]
  description?: string
}
export interface WebhookEndpoint {
  id: string
  url: string
  events: WebhookEvent[]
  description: string | null
  status: 'ENABLED' | 'DISABLED'
  disabled_reason: string | null
  disabled_at: string | null
  failing_since: string | null
  created_at: string
  /** Present only in the create and rotate-secret responses. */
  secret?: string
}
export interface WebhookDelivery {
  id: string
  event_id: string
  event_type: string
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED'
  attempts: number
  next_attempt_at: string | null
  created_at: string
  delivered_at: string | null
  request: { url: string | null; body: string }
  response: { status: number | null; body: string | null; duration_ms: number | null; at: string | null }
  error: string | null
}
/** The body of a per-task callback (compat). */
export interface TaskStatusChangedEvent {
  event: 'task.status_changed'
  task_id: string
  status: TaskStatus
  previous_status: TaskStatus | null
  timestamp: string
}
