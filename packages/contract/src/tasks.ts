import { type Static, Type } from '@sinclair/typebox'
import { Cursor, Money, Pagination, Strict, StringEnum } from './common.ts'
import { TASK_STATUSES, TASK_TYPES } from './enums.ts'

export const CreateTaskBody = Strict({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ minLength: 1, maxLength: 5000 }),
  task_type: StringEnum(TASK_TYPES),
  reward_usd: Money('Reward paid to the operator'),
  deadline: Type.String({
    format: 'date-time',
    description: 'ISO-8601, in the future, at most 90 days ahead',
  }),
  proof_requirements: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
    minItems: 1,
    maxItems: 20,
  }),
  location: Type.Optional(
    Strict({
      lat: Type.Number({ minimum: -90, maximum: 90 }),
      lng: Type.Number({ minimum: -180, maximum: 180 }),
      address: Type.Optional(Type.String({ maxLength: 500 })),
    }),
  ),
  location_radius_m: Type.Optional(Type.Integer({ minimum: 10, maximum: 100_000 })),
  digital_instructions: Type.Optional(Type.String({ maxLength: 10_000 })),
  agent_public_key: Type.Optional(
    Type.String({
      maxLength: 100,
      description:
        'Credential tasks: base64 X25519 public key (libsodium crypto_box_keypair). Each credential value is then sealed to it.',
    }),
  ),
  callback_url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  callback_secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })),
  metadata: Type.Optional(
    Type.Object({}, { additionalProperties: Type.String({ maxLength: 1000 }), maxProperties: 50 }),
  ),
})
export type CreateTaskBody = Static<typeof CreateTaskBody>

export const ListTasksQuery = Strict({
  ...Pagination.properties,
  cursor: Type.Optional(Cursor),
  status: Type.Optional(StringEnum(TASK_STATUSES)),
  task_type: Type.Optional(StringEnum(TASK_TYPES)),
})
/** As a handler sees it: validation fills in the `limit`/`offset` defaults. */
export type ListTasksQuery = Static<typeof ListTasksQuery> & Pagination

export const RejectEstimateBody = Strict({ reason: Type.String({ minLength: 1, maxLength: 2000 }) })
export const VerifyBody = Strict({
  decision: StringEnum(['APPROVE', 'REJECT'] as const),
  reason: Type.Optional(Type.String({ maxLength: 2000 })),
})
export const CancelBody = Type.Optional(Strict({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }))
export const RatingBody = Strict({
  score: Type.Integer({ minimum: 1, maximum: 5 }),
  comment: Type.Optional(Type.String({ maxLength: 2000 })),
})

const CredentialValue = (field: string) =>
  Type.Optional(
    Type.String({
      description: `${field}: a base64 sealed box of {"task_id","field","value"} (x25519-sealedbox), or the value itself (none)`,
    }),
  )
export const RetrieveCredentialResponse = Type.Object({
  task_id: Type.String(),
  encrypted_credential: Type.Object({
    username: CredentialValue('username'),
    password: CredentialValue('password'),
    api_key: CredentialValue('api_key'),
    notes: CredentialValue('notes'),
  }),
  encryption: StringEnum(['x25519-sealedbox', 'none'] as const),
})

export type RejectEstimateBody = Static<typeof RejectEstimateBody>
export type VerifyBody = Static<typeof VerifyBody>
export type CancelBody = Static<typeof CancelBody>
export type RatingBody = Static<typeof RatingBody>
export type RetrieveCredentialResponse = Static<typeof RetrieveCredentialResponse>
