// What the staff console's and the agent dashboard's endpoints answer (issue 13): staff set-up
// and sessions, the queues, lookup, search, KYC documents, the audit log and health.
import { type Static, Type } from '@sinclair/typebox'
import { LedgerCheck } from './admin-replies.ts'
import { AgentProfile } from './agent-replies.ts'
import { Nullable, PageOf, StringEnum, Timestamp } from './common.ts'
import { TIERS } from './enums.ts'
import { KYC_STATUSES, OperatorEarnings, OperatorProfile } from './operator.ts'
import { AuditEntryView, STAFF_ROLES } from './staff.ts'
import { TaskSummary } from './task-replies.ts'

const Role = StringEnum(STAFF_ROLES)
/** Counts by a name (a task status, a job kind, a Guardian decision); names with none are left out. */
const CountsBy = (description: string) => Type.Record(Type.String(), Type.Integer(), { description })

export const StaffSetupInfo = Type.Object({
  email: Type.String(),
  role: Role,
  totp_secret: Type.String({ description: 'Base32, for typing into an authenticator app' }),
  otpauth_uri: Type.String({ description: 'otpauth://totp/… — what the QR code holds' }),
  qr_svg: Type.String({ description: 'The QR code of `otpauth_uri`, as an SVG document' }),
  expires_at: Timestamp('When the set-up link stops working'),
})
export const StaffActivated = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: Role,
  activated_at: Timestamp(),
})
export const StaffMe = Type.Object({ id: Type.String(), email: Nullable(Type.String()), role: Role })
export const SessionsEnded = Type.Object({
  sessions_ended: Type.Integer({
    description: 'Refresh tokens revoked; access tokens issued until now stop too',
  }),
})
export const CreatedStaffUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: Role,
  setup_link: Type.String({ description: 'Shown once: the one-time link to set a password and TOTP' }),
  expires_at: Timestamp(),
})
export const LinkSent = Type.Object({
  message: Type.String({ description: 'The same whether or not an agent has this email' }),
})

export const QueueCounts = Type.Object({
  manual_review: Type.Integer(),
  disputed: Type.Integer(),
  kyc_pending: Type.Integer(),
  payouts_stuck: Type.Integer(),
})

export const AdminOperatorRow = Type.Object({
  operator_id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  location: Type.Object({ city: Nullable(Type.String()), country: Nullable(Type.String()) }),
  kyc_status: StringEnum(KYC_STATUSES),
  kyc_reason: Nullable(Type.String()),
  kyc_submitted_at: Nullable(Timestamp()),
  rating: Type.Number(),
  created_at: Timestamp(),
})
export const AdminOperatorPage = PageOf(AdminOperatorRow)

const RecentTask = Type.Object({
  ...TaskSummary.properties,
  escrow_usd: Type.Number({ description: 'Still held in escrow for this task' }),
})
export const AdminOperatorDetail = Type.Object({
  ...OperatorProfile.properties,
  earnings: OperatorEarnings,
  recent_tasks: Type.Array(RecentTask, { description: 'The 20 newest' }),
})
export const AdminAgentDetail = Type.Object({
  ...AgentProfile.properties,
  recent_tasks: Type.Array(RecentTask, { description: 'The 20 newest' }),
})

export const KycDocuments = Type.Object({
  operator_id: Type.String(),
  kyc_status: StringEnum(KYC_STATUSES),
  documents: Type.Array(
    Type.Object({
      purpose: Type.String({ description: 'id_document, selfie or proof_of_address' }),
      content_type: Type.String(),
      uploaded_at: Timestamp(),
      data_url: Type.String({ description: 'The decrypted file as a data: URL' }),
    }),
  ),
})

export const SearchResults = Type.Object({
  agents: Type.Array(
    Type.Object({
      agent_id: Type.String(),
      name: Type.String(),
      email: Type.String(),
      tier: StringEnum(TIERS),
      restricted: Type.Boolean(),
    }),
  ),
  operators: Type.Array(
    Type.Object({
      operator_id: Type.String(),
      name: Type.String(),
      email: Type.String(),
      kyc_status: StringEnum(KYC_STATUSES),
    }),
  ),
  tasks: Type.Array(Type.Object({ ...TaskSummary.properties, agent_id: Type.String() })),
})

export const AuditPage = PageOf(AuditEntryView)

export const ChainHealth = Type.Object({
  chain_id: Type.Integer(),
  rpc: StringEnum(['ok', 'unreachable'] as const, {
    description: 'unreachable: the node failed or took over 3 s; the balances are then null',
  }),
  rpc_error: Nullable(Type.String(), { description: 'Why the node is unreachable (never its URL)' }),
  block_number: Nullable(Type.Integer()),
  deposit_address: Type.String(),
  deposit_usdc: Nullable(Type.Number({ description: 'USD' })),
  hot_wallet: Nullable(Type.String({ description: 'null: no hot wallet key, payouts are refused' })),
  hot_usdc: Nullable(Type.Number({ description: 'USD' })),
  hot_gas_wei: Nullable(
    Type.String({ pattern: '^[0-9]+$', description: 'ETH for gas, in wei (a decimal string)' }),
  ),
  watcher: Nullable(
    Type.Object({
      next_block: Type.Integer({ description: 'The first block the watcher has not read for good' }),
      lag_blocks: Nullable(
        Type.Integer({ description: 'Blocks behind the latest; null when the node is unreachable' }),
      ),
      updated_at: Timestamp(),
    }),
    { description: 'null until the watcher first runs' },
  ),
})
export type ChainHealth = Static<typeof ChainHealth>

export const AdminHealth = Type.Object({
  ledger: LedgerCheck,
  open_tasks: CountsBy('Tasks by status, finished ones left out'),
  jobs_due_by_kind: CountsBy('Queued jobs due now, by kind'),
  jobs_running: CountsBy('Jobs running now, by kind'),
  jobs_failed: CountsBy('Jobs that gave up, by kind'),
  webhook_deliveries_unfinished: CountsBy('Webhook deliveries not yet finished, by status'),
  failing_webhook_endpoints: Type.Array(
    Type.Object({
      id: Type.String(),
      agent_id: Type.String(),
      url: Type.String(),
      failing_since: Nullable(Timestamp()),
      disabled_at: Nullable(Timestamp()),
      disabled_reason: Nullable(Type.String()),
    }),
  ),
  guardian_last_24h: CountsBy("The Guardian's decisions of the last 24 hours, by the status they led to"),
  payouts_waiting: Type.Integer({
    description: 'Payouts held back because the hot wallet is short of USDC or gas (or gas is too dear)',
  }),
  chain: Nullable(ChainHealth, { description: 'The real chain; null on the development chain' }),
  at: Timestamp(),
})

export type StaffSetupInfo = Static<typeof StaffSetupInfo>
export type StaffActivated = Static<typeof StaffActivated>
export type StaffMe = Static<typeof StaffMe>
export type SessionsEnded = Static<typeof SessionsEnded>
export type CreatedStaffUser = Static<typeof CreatedStaffUser>
export type LinkSent = Static<typeof LinkSent>
export type QueueCounts = Static<typeof QueueCounts>
export type AdminOperatorPage = Static<typeof AdminOperatorPage>
export type AdminOperatorDetail = Static<typeof AdminOperatorDetail>
export type AdminAgentDetail = Static<typeof AdminAgentDetail>
export type KycDocuments = Static<typeof KycDocuments>
export type SearchResults = Static<typeof SearchResults>
export type AuditPage = Static<typeof AuditPage>
export type AdminHealth = Static<typeof AdminHealth>
