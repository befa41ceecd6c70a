// What the task endpoints answer (spec §5): the agent's task object and the small replies of
// the lifecycle actions. Money is USD as JSON numbers; times are ISO-8601 strings.
import { type Static, Type } from '@sinclair/typebox'
import { CursorPageOf, Nullable, RefTo, StringEnum, Timestamp } from './common.ts'
import { TASK_DOMAINS, TASK_STATUSES, TASK_TYPES, TIERS } from './enums.ts'
import { GuardianResult, TaskProof } from './proof.ts'

const Usd = (description: string) => Type.Number({ description: `${description} (USD)` })

export const TaskLocation = Type.Object({
  lat: Type.Number(),
  lng: Type.Number(),
  address: Type.Optional(Nullable(Type.String())),
})
export type TaskLocation = Static<typeof TaskLocation>

export const Estimate = Type.Object(
  {
    estimate_days: Type.Integer(),
    estimate_hours: Type.Integer(),
    estimate_minutes: Type.Integer(),
    total_minutes: Type.Integer(),
    note: Nullable(Type.String()),
    submitted_at: Timestamp(),
    expires_at: Timestamp('The estimate lapses (and the task reopens) unless approved by then'),
  },
  { description: "The operator's time estimate, waiting for the agent's approval" },
)
export type Estimate = Static<typeof Estimate>

export const Transition = Type.Object({
  from: Nullable(StringEnum(TASK_STATUSES)),
  to: StringEnum(TASK_STATUSES),
  at: Timestamp(),
  actor: Type.String({ description: 'e.g. agent:ag_…, operator:op_…, admin:…, system' }),
  reason: Nullable(Type.String()),
})
export type Transition = Static<typeof Transition>

/** How staff ended a dispute (or decided a review), kept on the task. */
export const Resolution = Type.Object({
  outcome: StringEnum(['PAY_OPERATOR', 'REFUND_AGENT', 'SPLIT'] as const),
  operator_percent: Type.Number({ minimum: 0, maximum: 100 }),
  note: Type.String(),
  admin_id: Type.String(),
  at: Timestamp(),
  overturned_rejection: Type.Boolean({
    description: "True when staff paid the operator against the agent's rejection",
  }),
})
export type Resolution = Static<typeof Resolution>

/** The compat summary of `GET /tasks`. */
export const TaskSummary = Type.Object({
  task_id: Type.String(),
  title: Type.String(),
  status: StringEnum(TASK_STATUSES),
  task_type: StringEnum(TASK_TYPES),
  reward_usd: Usd('Reward paid to the operator'),
  operator_id: Nullable(Type.String()),
  created_at: Timestamp(),
  deadline: Timestamp(),
})
export type TaskSummary = Static<typeof TaskSummary>

export const TaskOperator = Type.Object({
  operator_id: Type.String(),
  name: Type.String(),
  rating: Type.Number({ description: 'Average rating 1–5 (5 before the first rating)' }),
})

const taskFields = {
  ...TaskSummary.properties,
  description: Type.String(),
  domain: StringEnum(Object.keys(TASK_DOMAINS) as (keyof typeof TASK_DOMAINS)[]),
  proof_requirements: Type.Array(Type.String()),
  location: Nullable(TaskLocation),
  location_radius_m: Type.Integer(),
  digital_instructions: Nullable(Type.String()),
  agent_public_key: Nullable(Type.String()),
  callback_url: Nullable(Type.String()),
  metadata: Nullable(Type.Record(Type.String(), Type.String())),
  platform_fee_usd: Usd('Platform fee, escrowed with the reward'),
  escrow_usd: Usd('Held in escrow now'),
  operator: Nullable(TaskOperator),
  estimate: Nullable(Estimate),
  proof: Nullable(RefTo(TaskProof)),
  guardian_result: Nullable(RefTo(GuardianResult)),
  verify_reason: Nullable(Type.String()),
  resolution: Nullable(Resolution),
  transitions: Type.Array(Transition),
  accepted_at: Nullable(Timestamp()),
  started_at: Nullable(Timestamp()),
  submitted_at: Nullable(Timestamp()),
  completed_at: Nullable(Timestamp()),
  cancelled_at: Nullable(Timestamp()),
  cancel_reason: Nullable(Type.String()),
  sandbox: Type.Boolean(),
  sandbox_notice: Type.Optional(Type.String()),
  credential_available: Type.Boolean({
    description: 'A COMPLETED credential task whose credential can be retrieved',
  }),
}

/** The full task object an agent sees (spec §5, "Read"). */
export const Task = Type.Object(taskFields, { $id: 'Task' })
export type Task = Static<typeof Task>

/** The create response: the task, plus a generated `callback_secret` (once) when none was given. */
export const CreatedTask = Type.Object({
  ...taskFields,
  callback_secret: Type.Optional(
    Type.String({ description: 'Generated when a callback_url was given without a secret; shown once' }),
  ),
  callback_secret_omitted: Type.Optional(
    Type.String({
      description:
        'Set instead of `callback_secret` on an Idempotency-Key replay: the generated secret is shown only once',
    }),
  ),
})
export type CreatedTask = Static<typeof CreatedTask>

export const TaskPage = CursorPageOf(TaskSummary)

export const ApprovedEstimate = Type.Object({
  task_id: Type.String(),
  status: Type.Literal('ACCEPTED'),
  accepted_at: Timestamp(),
  operator: Type.Object({ name: Type.String(), rating: Type.Number() }),
  estimate_minutes: Nullable(Type.Integer()),
})
export type ApprovedEstimate = Static<typeof ApprovedEstimate>

export const RejectedEstimate = Type.Object({
  task_id: Type.String(),
  status: Type.Literal('PENDING'),
  message: Type.String(),
})
export type RejectedEstimate = Static<typeof RejectedEstimate>

export const CancelledTask = Type.Object({
  task_id: Type.String(),
  status: Type.Literal('CANCELLED'),
  refunded_usd: Usd('Reward and fee returned to the deposit balance'),
  cancelled_at: Timestamp(),
})
export type CancelledTask = Static<typeof CancelledTask>

export const Rating = Type.Object({
  task_id: Type.String(),
  score: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Nullable(Type.String()),
  created_at: Timestamp(),
})
export type Rating = Static<typeof Rating>

/** A task's status and nothing else (staff decisions). */
export const TaskStatusReply = Type.Object({
  task_id: Type.String(),
  status: StringEnum(TASK_STATUSES),
})

/** Tier limits as the API shows them (spec §3). */
export const TierLimits = Type.Object({
  maxDailyTasks: Type.Integer(),
  maxTaskValue: Usd('Largest reward of one task'),
  maxDailySpend: Usd('Most escrowed in one UTC day'),
})
export type TierLimits = Static<typeof TierLimits>

export const TierEnum = StringEnum(TIERS)

/** Shared schemas registered with `addSchema`, so the OpenAPI document lists them as components. */
export const TASK_SCHEMAS = [Task]

export type TaskOperator = Static<typeof TaskOperator>
export type TaskPage = Static<typeof TaskPage>
export type TaskStatusReply = Static<typeof TaskStatusReply>
