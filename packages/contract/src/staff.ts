import { type Static, Type } from '@sinclair/typebox'
import { Pagination, Strict, StringEnum } from './common.ts'

// The staff console and the agent dashboard: browser sessions, staff users, audit log, queues,
// lookup, health and the daily aggregates (issue 13).

export const STAFF_ROLES = ['reviewer', 'admin'] as const
export type StaffRole = (typeof STAFF_ROLES)[number]

const Email = Type.String({ minLength: 3, maxLength: 254 })
const TotpCode = Type.String({
  pattern: '^\\d{6}$',
  description: 'the 6 digits the authenticator app shows now',
})
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a UTC day, YYYY-MM-DD' })

export const StaffSetupQuery = Strict({ token: Type.String({ minLength: 10, maxLength: 200 }) })
export const StaffSetupBody = Strict({
  token: Type.String({ minLength: 10, maxLength: 200 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
  totp_code: TotpCode,
})
export const StaffLoginBody = Strict({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 200 }),
  totp_code: TotpCode,
})
export const CreateStaffBody = Strict({ email: Email, role: StringEnum(STAFF_ROLES) })

export const DashboardLinkBody = Strict({ email: Email })
export const DashboardSessionBody = Strict({
  token: Type.Optional(Type.String({ minLength: 10, maxLength: 200, description: 'from the login link' })),
  api_key: Type.Optional(
    Type.String({
      minLength: 10,
      // Long enough for a pasted operator or OpenID token, which is then named as such (403).
      maxLength: 8192,
      description: 'An API key (`ho_live_…`)',
    }),
  ),
})

export const AuditQuery = Strict({
  ...Pagination.properties,
  actor: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. admin:stf_…' })),
  action: Type.Optional(
    Type.String({ maxLength: 100, description: 'exact, or a prefix ending in `.` (task.)' }),
  ),
  object_id: Type.Optional(Type.String({ maxLength: 100 })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
})
export const AuditCsvQuery = Strict({
  actor: AuditQuery.properties.actor,
  action: AuditQuery.properties.action,
  object_id: AuditQuery.properties.object_id,
  from: AuditQuery.properties.from,
  to: AuditQuery.properties.to,
})
export const AuditEntryView = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  actor_email: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  object_type: Type.String(),
  object_id: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  note: Type.Union([Type.String(), Type.Null()]),
})

export const AdminOperatorsQuery = Strict({
  ...Pagination.properties,
  kyc_status: Type.Optional(StringEnum(['PENDING', 'APPROVED', 'REJECTED'] as const)),
})
export const AdminStuckPayoutsQuery = Strict({
  ...Pagination.properties,
  older_than_s: Type.Integer({
    minimum: 0,
    maximum: 315_360_000,
    default: 600,
    description: 'sent at least this long ago (at most 10 years)',
  }),
})
export const SearchQuery = Strict({ q: Type.String({ minLength: 2, maxLength: 200 }) })
export const DailyStatsQuery = Strict({ from: Day, to: Day })
export const DailyStatsRow = Type.Object({
  day: Type.String(),
  tasks_created: Type.Integer(),
  tasks_completed: Type.Integer(),
  escrowed_usd: Type.Number(),
  released_usd: Type.Number(),
  refunded_usd: Type.Number(),
  fee_revenue_usd: Type.Number(),
  guardian_verified: Type.Integer(),
  guardian_manual_review: Type.Integer(),
  guardian_resubmit: Type.Integer(),
  median_completion_s: Type.Union([Type.Number(), Type.Null()]),
})
export type DailyStatsRow = Static<typeof DailyStatsRow>
/** `GET /admin/stats/daily`: one row per UTC day from `from` to `to`, both included. */
export const DailyStats = Type.Object({
  from: Type.String(),
  to: Type.String(),
  data: Type.Array(DailyStatsRow),
})
export type DailyStats = Static<typeof DailyStats>
