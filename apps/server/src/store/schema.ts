/**
 * Row types. Every integer column reads back as bigint on both dialects (see `createDb`),
 * timestamps are ISO-8601 strings, JSON columns are text.
 */
import type { Generated, Kysely, Transaction } from 'kysely'
import type { TaskStatus } from '../domain/lifecycle.ts'

export interface AgentsTable {
  id: string
  name: string
  email: string
  company: string | null
  tier: string
  email_verified_at: string | null
  restricted_at: string | null
  restricted_reason: string | null
  wallet_address: string | null
  created_at: string
  /** When an admin last lifted a restriction; overturns before it no longer count (migration 0006). */
  restriction_lifted_at: string | null
}

export interface ApiKeysTable {
  id: string
  agent_id: string
  name: string
  key_hash: string
  key_prefix: string
  last_used_at: string | null
  created_at: string
  revoked_at: string | null
}

export interface AgentDailyUsageTable {
  agent_id: string
  day: string
  tasks: bigint
  spend_micros: bigint
}

export interface OperatorsTable {
  id: string
  name: string
  email: string
  password_hash: string | null
  external_subject: string | null
  phone: string | null
  city: string | null
  country: string | null
  skills: string
  kyc_status: string
  wallet_address: string | null
  releases: bigint
  created_at: string
  /** When the operator last uploaded KYC documents (migration 0016): the KYC queue's order. */
  kyc_submitted_at: string | null
  /** Staff's reason for the last KYC rejection, shown to the operator (migration 0016). */
  kyc_reason: string | null
}

export interface AdminTokensTable {
  id: string
  name: string
  token_hash: string
  created_at: string
  revoked_at: string | null
}

export interface TasksTable {
  id: string
  agent_id: string
  title: string
  description: string
  task_type: string
  domain: string
  reward_micros: bigint
  fee_micros: bigint
  escrow_micros: bigint
  deadline: string
  proof_requirements: string
  location_lat: number | null
  location_lng: number | null
  location_address: string | null
  location_radius_m: bigint
  digital_instructions: string | null
  agent_public_key: string | null
  callback_url: string | null
  callback_secret: string | null
  metadata: string | null
  /** One of the lifecycle's statuses (`TRANSITIONS` in domain/lifecycle.ts). */
  status: TaskStatus
  version: bigint
  sandbox: bigint
  operator_id: string | null
  estimate: string | null
  proof: string | null
  /** AES-256-GCM ciphertext under the master key; never returned to the operator again. */
  credentials: string | null
  guardian_result: string | null
  verify_reason: string | null
  resolution: string | null
  submit_attempts: bigint
  cancel_reason: string | null
  created_at: string
  accepted_at: string | null
  started_at: string | null
  submitted_at: string | null
  completed_at: string | null
  cancelled_at: string | null
  updated_at: string
  /** Set when the retention period purged the credentials (migration 0006); retrieval is then 410. */
  credentials_purged_at: string | null
  /** The grid cell (0.01° band of latitude, `geoCell`) of the location, null without one (migrations 0018, 0023). */
  geo_cell: bigint | null
}

/** Tasks per (scope, status, task_type): scope is an agent id or `market:<shard>` (migration 0018). */
export interface TaskCountsTable {
  scope: string
  status: string
  task_type: string
  n: bigint
}

export interface TaskTransitionsTable {
  id: Generated<bigint>
  task_id: string
  from_status: string | null
  to_status: string
  actor: string
  reason: string | null
  at: string
}

export interface TaskRatingsTable {
  task_id: string
  agent_id: string
  operator_id: string
  score: bigint
  comment: string | null
  created_at: string
}

export interface AccountsTable {
  id: string
  balance_micros: bigint
  created_at: string
}

export interface LedgerTransactionsTable {
  id: string
  kind: string
  task_id: string | null
  memo: string | null
  created_at: string
}

export interface LedgerEntriesTable {
  id: Generated<bigint>
  transaction_id: string
  account_id: string
  amount_micros: bigint
  created_at: string
}

export interface DepositsTable {
  id: string
  agent_id: string
  chain: string
  tx_hash: string
  log_index: bigint
  amount_micros: bigint
  status: string
  created_at: string
  confirmed_at: string | null
  /** The block the transfer was seen in (migration 0012); null on the development chain. */
  block_number: bigint | null
  block_hash: string | null
  from_address: string | null
}

/** USDC into the deposit address from a wallet no agent has bound (migration 0012). */
export interface UnattributedTransfersTable {
  chain: string
  tx_hash: string
  log_index: bigint
  from_address: string
  amount_micros: bigint
  block_number: bigint
  block_hash: string
  seen_at: string
}

/** How far the deposit watcher has read, and the watched balances when it started (migration 0012). */
export interface ChainCursorsTable {
  name: string
  next_block: bigint
  opening_micros: bigint
  updated_at: string
}

/** The next nonce of each hot wallet (migration 0012). */
export interface ChainSendersTable {
  address: string
  next_nonce: bigint
}

export interface OutboxTable {
  seq: Generated<bigint>
  id: string
  type: string
  agent_id: string | null
  operator_id: string | null
  task_id: string | null
  payload: string
  created_at: string
  /** Set when the event has been fanned out into `webhook_deliveries` (migration 0002). */
  dispatched_at: string | null
}

export interface WebhookEndpointsTable {
  id: string
  agent_id: string
  url: string
  /** JSON array of event types, or ["*"]. */
  events: string
  description: string | null
  secret: string
  /** The secret before the last rotation; still signed with until `previous_secret_expires_at`. */
  previous_secret: string | null
  previous_secret_expires_at: string | null
  failing_since: string | null
  disabled_at: string | null
  disabled_reason: string | null
  deleted_at: string | null
  created_at: string
}

export interface WebhookDeliveriesTable {
  id: string
  event_id: string
  event_type: string
  event_seq: bigint
  agent_id: string
  task_id: string | null
  /** `callback` (the task's callback_url) or a webhook endpoint id. */
  target: string
  payload: string
  event_at: string
  status: string
  attempts: bigint
  next_attempt_at: string
  /** Retries stop after this time (3 days after the event, or after a manual redelivery). */
  retry_until: string
  locked_until: string | null
  last_attempt_at: string | null
  last_url: string | null
  response_status: bigint | null
  response_body: string | null
  last_error: string | null
  duration_ms: bigint | null
  delivered_at: string | null
  created_at: string
}

export interface JobsTable {
  id: Generated<bigint>
  kind: string
  payload: string
  run_at: string
  status: string
  attempts: bigint
  max_attempts: bigint
  locked_by: string | null
  locked_until: string | null
  last_error: string | null
  created_at: string
  finished_at: string | null
  /** Jobs of one group (`agent:<id>` for webhook attempts) are capped per process; null = none. */
  group_key: string | null
}

export interface IdempotencyKeysTable {
  scope: string
  request_hash: string
  state: string
  response_status: bigint | null
  response_body: string | null
  created_at: string
  expires_at: string
  /** The process holding a `running` claim, and until when (renewed while it runs). */
  owner: string | null
  lease_until: string | null
  /** The committed business transaction's result (`encodeResult`), kept until the answer is stored. */
  result: string | null
}

export interface FilesTable {
  id: string
  owner_kind: string
  owner_id: string
  task_id: string | null
  purpose: string
  content_type: string
  size_bytes: bigint
  storage_key: string
  encrypted: bigint
  created_at: string
}

/** Perceptual hashes of stored proof photos (the Guardian's reuse index). */
export interface PhotoHashesTable {
  file_id: string
  task_id: string
  operator_id: string
  hash: string
  created_at: string
}

/** One row per 16-bit band of a photo hash (`hashBands`), keyed `<position>:<hex>`. */
export interface PhotoHashBandsTable {
  band: string
  file_id: string
}

/** A wallet-binding challenge (spec §4): valid 10 minutes, used at most once. */
export interface WalletChallengesTable {
  nonce: string
  agent_id: string
  message: string
  issued_at: string
  expires_at: string
  used_at: string | null
}

/** A browser session's refresh token (ADR 0015); only its hash is stored. */
export interface SessionsTable {
  id: string
  family_id: string
  subject_kind: string
  subject_id: string
  token_hash: string
  created_at: string
  expires_at: string
  rotated_at: string | null
  revoked_at: string | null
  /** The API key the session was opened with (agents); revoking it ends the session. */
  api_key_id: string | null
}

export interface EmailVerificationsTable {
  id: string
  agent_id: string
  /** The address the link was sent to. */
  email: string
  /** SHA-256 of the token in the link; the token itself is never stored. */
  token_hash: string
  created_at: string
  expires_at: string
  used_at: string | null
}

export interface WorkersTable {
  id: string
  started_at: string
  last_seen_at: string
}

/** An operator withdrawal (migration 0006). Statuses: PENDING_ONCHAIN → CONFIRMED | FAILED. */
export interface PayoutsTable {
  id: string
  operator_id: string
  amount_micros: bigint
  gas_fee_micros: bigint
  net_micros: bigint
  method: string
  chain: string
  to_address: string
  status: string
  tx_hash: string | null
  failure_reason: string | null
  /** Committed before the chain is called: a payout with this set is never sent again. */
  send_attempted_at: string | null
  created_at: string
  updated_at: string
  confirmed_at: string | null
  failed_at: string | null
  /** The signed transfer, committed before it is broadcast (migration 0012). */
  signed_tx: string | null
  nonce: bigint | null
  broadcast_at: string | null
  /** Why the payout is not sent yet (hot wallet short of USDC or gas); null when it is not waiting. */
  waiting_reason: string | null
}

/** A dispute an admin resolved by paying the operator: the agent's rejection was overturned (migration 0006). */
export interface OverturnedRejectionsTable {
  task_id: string
  agent_id: string
  admin_id: string
  outcome: string
  at: string
}

export interface StaffUsersTable {
  id: string
  email: string
  role: string
  password_hash: string | null
  /** AES-256-GCM under the master key (base64). */
  totp_secret: string
  /** The last TOTP time step accepted: a code is good once. */
  totp_last_step: bigint
  setup_token_hash: string | null
  setup_expires_at: string | null
  activated_at: string | null
  disabled_at: string | null
  /** Access tokens issued before this instant are refused (logout everywhere). */
  tokens_valid_after: string | null
  created_by: string
  created_at: string
}

export interface StaffLoginFailuresTable {
  id: Generated<bigint>
  email: string
  ip: string
  reason: string
  at: string
}

export interface AgentLoginLinksTable {
  token_hash: string
  agent_id: string
  created_at: string
  expires_at: string
  used_at: string | null
}

export interface AuditLogTable {
  id: Generated<bigint>
  at: string
  actor: string
  action: string
  object_type: string
  object_id: string
  /** JSON text. */
  before: string | null
  after: string | null
  note: string | null
}

/**
 * Failed operator logins per (account email, client address) in the current hour (migration 0011).
 * `trusted_at`: the last successful login from that address, which exempts it from the account's
 * global budget.
 */
export interface LoginThrottleTable {
  email: string
  ip: string
  failures: bigint
  window_started_at: string
  last_failure_at: string | null
  trusted_at: string | null
}

/** One closed UTC day of the console's figures (migration 0020, ADR 0023); money in micro-dollars. */
export interface DailyStatsTable {
  day: string
  tasks_created: bigint
  tasks_completed: bigint
  escrowed_micros: bigint
  released_micros: bigint
  refunded_micros: bigint
  fee_micros: bigint
  guardian_verified: bigint
  guardian_manual_review: bigint
  guardian_resubmit: bigint
  /** The exact median of the day's completions, rounded to the second; null when none completed. */
  median_completion_s: bigint | null
  folded_at: string
}

/** Rows pruned by `retention.prune`, per kind (`jobs.done`, `outbox`, …), since the first run (migration 0022). */
export interface RetentionTotalsTable {
  name: string
  pruned: bigint
  updated_at: string
}

export interface Database {
  agents: AgentsTable
  api_keys: ApiKeysTable
  agent_daily_usage: AgentDailyUsageTable
  operators: OperatorsTable
  admin_tokens: AdminTokensTable
  tasks: TasksTable
  task_transitions: TaskTransitionsTable
  task_counts: TaskCountsTable
  task_ratings: TaskRatingsTable
  accounts: AccountsTable
  ledger_transactions: LedgerTransactionsTable
  ledger_entries: LedgerEntriesTable
  deposits: DepositsTable
  outbox: OutboxTable
  webhook_endpoints: WebhookEndpointsTable
  webhook_deliveries: WebhookDeliveriesTable
  jobs: JobsTable
  workers: WorkersTable
  idempotency_keys: IdempotencyKeysTable
  files: FilesTable
  payouts: PayoutsTable
  overturned_rejections: OverturnedRejectionsTable
  photo_hashes: PhotoHashesTable
  photo_hash_bands: PhotoHashBandsTable
  email_verifications: EmailVerificationsTable
  wallet_challenges: WalletChallengesTable
  staff_users: StaffUsersTable
  staff_login_failures: StaffLoginFailuresTable
  agent_login_links: AgentLoginLinksTable
  audit_log: AuditLogTable
  daily_stats: DailyStatsTable
  retention_totals: RetentionTotalsTable
  sessions: SessionsTable
  login_throttle: LoginThrottleTable

  unattributed_transfers: UnattributedTransfersTable
  chain_cursors: ChainCursorsTable
  chain_senders: ChainSendersTable
}

export type Db = Kysely<Database>
/** A handle that may be the database or an open transaction. */
export type Tx = Kysely<Database> | Transaction<Database>
