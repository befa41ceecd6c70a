// What the operator endpoints answer (spec §6) besides `operator.ts`: sign-up and the work steps. Money is USD as JSON numbers; times are ISO-8601 strings.
import { type Static, Type } from '@sinclair/typebox'
import { StringEnum, Timestamp } from './common.ts'
import { AccessToken, KYC_STATUSES } from './operator.ts'

const KycStatus = StringEnum(KYC_STATUSES)

export const OperatorRegistration = Type.Object({
  operator_id: Type.String(),
  name: Type.String(),
  kyc_status: KycStatus,
  ...AccessToken.properties,
})
export type OperatorRegistration = Static<typeof OperatorRegistration>

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
