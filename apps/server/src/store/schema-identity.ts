/** Row types of who acts: agents and their keys, operators, staff, and their sign-in state (see `schema.ts`). */
import type { Generated } from 'kysely'

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
