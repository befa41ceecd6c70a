import { type Static, Type } from '@sinclair/typebox'
import { CursorPageInfo, Money, Pagination, StringEnum } from './common.ts'
import { TASK_STATUSES } from './enums.ts'
import type { GuardianResult } from './proof.ts'

/**
 * What the operator endpoints answer: the types the web app (apps/web) uses, and the response
 * schemas of those routes. Objects stay open (`additionalProperties`), so a field added by the
 * server is sent before the contract names it.
 */
const Open = { additionalProperties: true } as const
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

export const KYC_STATUSES = ['NONE', 'PENDING', 'APPROVED', 'REJECTED'] as const

export const OperatorProfile = Type.Object(
  {
    operator_id: Type.String(),
    name: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    location: Type.Object({
      city: Type.Union([Type.String(), Type.Null()]),
      country: Type.Union([Type.String(), Type.Null()]),
    }),
    skills: Type.Array(Type.String()),
    kyc_status: Type.String({ description: `One of ${KYC_STATUSES.join(', ')}` }),
    kyc_reason: Type.Union([Type.String(), Type.Null()], {
      description: 'Why staff rejected the KYC documents, for the operator to fix',
    }),
    rating: Type.Number({ description: 'Average score received (5 before any rating)' }),
    counts: Type.Object({
      active: Type.Integer(),
      submitted: Type.Integer(),
      completed: Type.Integer(),
      releases: Type.Integer(),
    }),
    created_at: Type.String(),
  },
  Open,
)
export type OperatorProfile = Static<typeof OperatorProfile>

/** One task as an operator sees it; the fields after `created_at` only on their own tasks. */
export const OperatorTask = Type.Object(
  {
    task_id: Type.String(),
    title: Type.String(),
    description: Type.String(),
    task_type: Type.String(),
    location: Type.Union([
      Type.Object({
        lat: Type.Number(),
        lng: Type.Number(),
        address: Type.Union([Type.String(), Type.Null()]),
      }),
      Type.Null(),
    ]),
    location_radius_m: Type.Number(),
    reward_usd: Money('What the operator receives'),
    deadline: Type.String(),
    proof_requirements: Type.Array(Type.String()),
    created_at: Type.String(),
    distance_km: Type.Optional(Type.Number()),
    status: Type.Optional(StringEnum(TASK_STATUSES)),
    digital_instructions: Type.Optional(Nullable(Type.String())),
    estimate: Type.Optional(
      Type.Union([
        Type.Object(
          {
            estimate_days: Type.Integer(),
            estimate_hours: Type.Integer(),
            estimate_minutes: Type.Integer(),
            total_minutes: Type.Integer(),
            note: Type.Union([Type.String(), Type.Null()]),
            submitted_at: Type.String(),
            expires_at: Type.String(),
          },
          Open,
        ),
        Type.Null(),
      ]),
    ),
    guardian_result: Type.Optional(
      Type.Union([Type.Unsafe<Static<typeof GuardianResult>>({ $ref: 'GuardianResult#' }), Type.Null()]),
    ),
    verify_reason: Type.Optional(Nullable(Type.String())),
    resolution: Type.Optional(Type.Unknown()),
    submit_attempts: Type.Optional(Type.Integer()),
  },
  Open,
)
export type OperatorTask = Static<typeof OperatorTask>

export const OperatorTaskPage = Type.Object({
  data: Type.Array(OperatorTask),
  pagination: Type.Object({ ...Pagination.properties, total: Type.Integer() }),
})
export type OperatorTaskPage = Static<typeof OperatorTaskPage>

/** A page of `GET /operator/tasks`: paged by `cursor` too; `total_exact` says how far `total` holds. */
export const BrowseTaskPage = Type.Object({
  data: Type.Array(OperatorTask),
  pagination: Type.Object({
    ...CursorPageInfo.properties,
    total_exact: Type.Boolean({
      description:
        'false without `near`: `total` then counts the open tasks of your skills from counters, including any whose deadline passed in the last moments (they are cancelled within seconds). false with `near` sorted by distance (the default): `total` then counts the open tasks in the bounding box of the circle, at most 10,000. true with `near` and another sort: `total` is exact',
    }),
  }),
})
export type BrowseTaskPage = Static<typeof BrowseTaskPage>

export const OperatorEarnings = Type.Object(
  {
    pending_balance: Money('Earned, still in the holding period'),
    available_balance: Money('Can be paid out'),
    total_earned: Money('Everything ever earned'),
    currency: Type.String(),
    recent_tasks: Type.Array(
      Type.Object(
        {
          task_id: Type.String(),
          title: Type.String(),
          reward_usd: Type.Number(),
          status: Type.String(),
          completed_at: Type.Union([Type.String(), Type.Null()]),
          available_at: Type.Union([Type.String(), Type.Null()], {
            description: 'When the reward leaves the holding period (pending → available)',
          }),
        },
        Open,
      ),
    ),
  },
  Open,
)
export type OperatorEarnings = Static<typeof OperatorEarnings>

export const AcceptedEstimate = Type.Object({
  task_id: Type.String(),
  status: Type.String(),
  estimate_expires_at: Type.String(),
})
export type AcceptedEstimate = Static<typeof AcceptedEstimate>

/** A short-lived operator bearer token (login, browser session). */
export const AccessToken = Type.Object({ token: Type.String(), expires_at: Type.String() }, Open)
export type AccessToken = Static<typeof AccessToken>

export const OperatorRatings = Type.Object({
  average: Type.Number({ description: 'Average score (5 before any rating)' }),
  data: Type.Array(
    Type.Object({
      task_id: Type.String(),
      title: Type.String(),
      score: Type.Integer({ minimum: 1, maximum: 5 }),
      comment: Type.Union([Type.String(), Type.Null()]),
      created_at: Type.String(),
    }),
  ),
  pagination: Type.Object({ ...Pagination.properties, total: Type.Integer() }),
})
export type OperatorRatings = Static<typeof OperatorRatings>
