// What the staff console's endpoints answer (issue 13): set-up, the signed-in staff user, queue
// counts, lookup, search, KYC documents, the audit log and health. The response schemas of those
// routes and the types the web app's console uses. Objects stay open, so a field the server adds
// is sent before the contract names it.
import { type Static, Type } from '@sinclair/typebox'
import { LedgerCheck } from './admin-replies.ts'
import { AgentProfile } from './agent-replies.ts'
import { Nullable, PageOf, StringEnum, Timestamp } from './common.ts'
import { TIERS } from './enums.ts'
import { OperatorEarnings, OperatorProfile } from './operator.ts'
import { STAFF_ROLES } from './staff.ts'
import { TaskSummary } from './task-replies.ts'

const Open = { additionalProperties: true } as const
const Counts = Type.Record(Type.String(), Type.Integer())

export const StaffSetupInfo = Type.Object(
  {
    email: Type.String(),
    role: StringEnum(STAFF_ROLES),
    totp_secret: Type.String({ description: 'Base32, for typing into an authenticator app' }),
    otpauth_uri: Type.String(),
    qr_svg: Type.String({ description: 'The otpauth URI as a QR code, an SVG document' }),
    expires_at: Timestamp('The set-up link stops working then'),
  },
  Open,
)
export const StaffSetupDone = Type.Object(
  { id: Type.String(), email: Type.String(), role: StringEnum(STAFF_ROLES), activated_at: Timestamp() },
  Open,
)
export const StaffMe = Type.Object(
  { id: Type.String(), email: Nullable(Type.String()), role: StringEnum(STAFF_ROLES) },
  Open,
)
export const StaffCreated = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    role: StringEnum(STAFF_ROLES),
    setup_link: Type.String({ description: 'Shown once: open it to set a password and enrol TOTP' }),
    expires_at: Timestamp(),
  },
  Open,
)

export const QueueCounts = Type.Object(
  {
    manual_review: Type.Integer(),
    disputed: Type.Integer(),
    kyc_pending: Type.Integer(),
    payouts_stuck: Type.Integer({ description: 'PENDING_ONCHAIN, sent more than 10 minutes ago' }),
  },
  Open,
)

export const AdminOperatorSummary = Type.Object(
  {
    operator_id: Type.String(),
    name: Type.String(),
    email: Nullable(Type.String()),
    location: Type.Object({ city: Nullable(Type.String()), country: Nullable(Type.String()) }),
    kyc_status: Type.String(),
    kyc_reason: Nullable(Type.String()),
    kyc_submitted_at: Nullable(Type.String()),
    rating: Type.Number(),
    created_at: Type.String(),
  },
  Open,
)
export const AdminOperatorPage = PageOf(AdminOperatorSummary)

const RecentTask = Type.Object({ ...TaskSummary.properties, escrow_usd: Type.Number() }, Open)
export const AdminAgent = Type.Object(
  { ...AgentProfile.properties, recent_tasks: Type.Array(RecentTask) },
  Open,
)
export const AdminOperator = Type.Object(
  { ...OperatorProfile.properties, earnings: OperatorEarnings, recent_tasks: Type.Array(RecentTask) },
  Open,
)

export const KycDocuments = Type.Object(
  {
    operator_id: Type.String(),
    kyc_status: Type.String(),
    documents: Type.Array(
      Type.Object({
        purpose: Type.String({ description: 'id_document, selfie, proof_of_address' }),
        content_type: Type.String(),
        uploaded_at: Type.String(),
        data_url: Type.String({ description: 'The decrypted file as a data: URL' }),
      }),
    ),
  },
  Open,
)

export const SearchResult = Type.Object(
  {
    agents: Type.Array(
      Type.Object(
        {
          agent_id: Type.String(),
          name: Type.String(),
          email: Type.String(),
          tier: StringEnum(TIERS),
          restricted: Type.Boolean(),
        },
        Open,
      ),
    ),
    operators: Type.Array(
      Type.Object(
        {
          operator_id: Type.String(),
          name: Type.String(),
          email: Nullable(Type.String()),
          kyc_status: Type.String(),
        },
        Open,
      ),
    ),
    tasks: Type.Array(Type.Object({ ...TaskSummary.properties, agent_id: Type.String() }, Open)),
  },
  Open,
)

export const AuditEntry = Type.Object(
  {
    id: Type.Integer(),
    at: Type.String(),
    actor: Type.String({ description: 'admin:stf_… (a staff user), admin:<token id>, cli, system' }),
    actor_email: Nullable(Type.String()),
    action: Type.String({ description: 'e.g. task.review.approve, task.dispute.resolve, kyc.approve' }),
    object_type: Type.String(),
    object_id: Type.String(),
    before: Type.Unknown(),
    after: Type.Unknown(),
    note: Nullable(Type.String()),
  },
  Open,
)
export const AuditPage = PageOf(AuditEntry)

export const AdminHealth = Type.Object(
  {
    ledger: LedgerCheck,
    open_tasks: Counts,
    jobs_due_by_kind: Counts,
    jobs_running: Counts,
    jobs_failed: Counts,
    webhook_deliveries_unfinished: Counts,
    failing_webhook_endpoints: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          agent_id: Type.String(),
          url: Type.String(),
          failing_since: Nullable(Type.String()),
          disabled_at: Nullable(Type.String()),
          disabled_reason: Nullable(Type.String()),
        },
        Open,
      ),
    ),
    guardian_last_24h: Counts,
    at: Timestamp(),
  },
  Open,
)

export type StaffSetupInfo = Static<typeof StaffSetupInfo>
export type StaffSetupDone = Static<typeof StaffSetupDone>
export type StaffMe = Static<typeof StaffMe>
export type StaffCreated = Static<typeof StaffCreated>
export type QueueCounts = Static<typeof QueueCounts>
export type AdminOperatorSummary = Static<typeof AdminOperatorSummary>
export type AdminOperatorPage = Static<typeof AdminOperatorPage>
export type AdminAgent = Static<typeof AdminAgent>
export type AdminOperator = Static<typeof AdminOperator>
export type KycDocuments = Static<typeof KycDocuments>
export type SearchResult = Static<typeof SearchResult>
export type AuditEntry = Static<typeof AuditEntry>
export type AuditPage = Static<typeof AuditPage>
export type AdminHealth = Static<typeof AdminHealth>
