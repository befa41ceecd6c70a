// What the operator endpoints answer (spec §6): sign-up, profile, the operator's view of tasks,
// the work steps and earnings. Money is USD as JSON numbers; times are ISO-8601 strings.
import { type Static, Type } from '@sinclair/typebox'
import { Nullable, PageOf, RefTo, StringEnum, Timestamp } from './common.ts'
import { TASK_STATUSES, TASK_TYPES } from './enums.ts'
import { GuardianResult } from './proof.ts'
import { Estimate, Resolution, TaskLocation } from './task-replies.ts'

export const KYC_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const
const KycStatus = StringEnum(KYC_STATUSES)

export const OperatorToken = Type.Object({
  token: Type.String({ description: 'Send as `Authorization: Bearer <token>`' }),
  expires_at: Timestamp(),
})
export type OperatorToken = Static<typeof OperatorToken>

export const OperatorRegistration = Type.Object({
  operator_id: Type.String(),
  name: Type.String(),
  kyc_status: KycStatus,
  ...OperatorToken.properties,
})
export type OperatorRegistration = Static<typeof OperatorRegistration>

export const OperatorProfile = Type.Object({
  operator_id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  phone: Nullable(Type.String()),
  location: Type.Object({ city: Nullable(Type.String()), country: Nullable(Type.String()) }),
  skills: Type.Array(StringEnum(TASK_TYPES), { description: 'Empty: every task type' }),
  kyc_status: KycStatus,
  rating: Type.Number(),
  counts: Type.Object({
    active: Type.Integer(),
    submitted: Type.Integer(),
    completed: Type.Integer(),
    releases: Type.Integer(),
  }),
  created_at: Timestamp(),
})
export type OperatorProfile = Static<typeof OperatorProfile>

/**
 * What an operator sees of a task: open-task fields; `status` and the fields after it only on
 * the operator's own tasks.
 */
export const OperatorTask = Type.Object({
  task_id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  task_type: StringEnum(TASK_TYPES),
  location: Nullable(TaskLocation),
  location_radius_m: Type.Integer(),
  reward_usd: Type.Number(),
  deadline: Timestamp(),
  proof_requirements: Type.Array(Type.String()),
  created_at: Timestamp(),
  distance_km: Type.Optional(Type.Number({ description: 'When browsing with `near`' })),
  status: Type.Optional(StringEnum(TASK_STATUSES)),
  digital_instructions: Type.Optional(Nullable(Type.String())),
  estimate: Type.Optional(Nullable(Estimate)),
  guardian_result: Type.Optional(Nullable(RefTo(GuardianResult))),
  verify_reason: Type.Optional(Nullable(Type.String())),
  resolution: Type.Optional(Nullable(Resolution)),
  submit_attempts: Type.Optional(Type.Integer()),
})
export type OperatorTask = Static<typeof OperatorTask>
export const OperatorTaskPage = PageOf(OperatorTask)

export const AcceptedTask = Type.Object({
  task_id: Type.String(),
  status: Type.Literal('ESTIMATE_PENDING'),
  estimate_expires_at: Timestamp(),
})
export type AcceptedTask = Static<typeof AcceptedTask>

export const StartedTask = Type.Object({
  task_id: Type.String(),
  status: Type.Literal('IN_PROGRESS'),
  started_at: Timestamp(),
})
export type StartedTask = Static<typeof StartedTask>

export const ReleasedTask = Type.Object({
  task_id: Type.String(),
  status: Type.Literal('PENDING'),
  message: Type.String(),
})
export type ReleasedTask = Static<typeof ReleasedTask>

export const KycSubmitted = Type.Object({
  operator_id: Type.String(),
  kyc_status: KycStatus,
  documents: Type.Array(StringEnum(['id_document', 'selfie', 'proof_of_address'] as const)),
})
export type KycSubmitted = Static<typeof KycSubmitted>

export const Earnings = Type.Object({
  pending_balance: Type.Number({ description: 'Earned, still in the holding period (USD)' }),
  available_balance: Type.Number({ description: 'Can be paid out (USD)' }),
  total_earned: Type.Number(),
  currency: Type.Literal('USD'),
  recent_tasks: Type.Array(
    Type.Object({
      task_id: Type.String(),
      title: Type.String(),
      reward_usd: Type.Number(),
      status: Type.Literal('COMPLETED'),
      completed_at: Nullable(Timestamp()),
    }),
  ),
})
export type Earnings = Static<typeof Earnings>

export type OperatorTaskPage = Static<typeof OperatorTaskPage>
