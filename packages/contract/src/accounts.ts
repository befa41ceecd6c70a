import { type Static, Type } from '@sinclair/typebox'
import { Cursor, Money, Nullable, PageOf, Pagination, Strict, StringEnum } from './common.ts'
import { BROWSE_SORTS, TASK_TYPES, TIERS } from './enums.ts'

const Email = Type.String({ format: 'email', maxLength: 254 })

export const RegisterAgentBody = Strict({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  email: Email,
  company: Type.Optional(Type.String({ maxLength: 200 })),
})
export const CreateKeyBody = Strict({ name: Type.String({ minLength: 1, maxLength: 100 }) })
export const DepositBody = Strict({
  tx_hash: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$', description: '0x followed by 64 hex digits' }),
  amount_usdc: Type.Optional(Money('Amount sent')),
  chain: StringEnum(['base'] as const),
})
export const PageQuery = Strict({ ...Pagination.properties })

const Address = Type.String({
  pattern: '^0x[0-9a-fA-F]{40}$',
  description: 'An EVM address: 0x and 40 hex digits (EIP-55 mixed case is checked when given)',
})
export const WalletChallengeReply = Type.Object({
  chain: Type.Literal('base'),
  nonce: Type.String({ format: 'uuid' }),
  issued_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time', description: 'Single use, until then (10 minutes)' }),
  message: Type.String({ description: 'Sign exactly this text with personal_sign (EIP-191)' }),
})
export const BindWalletBody = Strict({
  wallet_address: Address,
  signature: Type.String({
    pattern: '^0x[0-9a-fA-F]{130}$',
    description: 'The personal_sign (EIP-191) signature of the challenge message: 0x and 130 hex digits',
  }),
  nonce: Type.String({ format: 'uuid', description: 'The nonce of the challenge that was signed' }),
})
export const BoundWalletReply = Type.Object({
  agent_id: Type.String(),
  chain: Type.Literal('base'),
  wallet_address: Type.String({ description: 'EIP-55 form' }),
  bound_at: Type.String({ format: 'date-time' }),
})
export const DepositAddressReply = Type.Object({
  chain: Type.Literal('base'),
  token: Type.Literal('USDC'),
  token_contract: Type.String({ description: 'The USDC token contract (EIP-55)' }),
  address: Type.String({ description: 'Send USDC here from your bound wallet (EIP-55)' }),
  chain_id: Nullable(Type.Integer(), {
    description:
      'The EVM chain id the server follows (8453 Base, 84532 Base Sepolia); null on a development ' +
      'server, which reads no chain. Send from a node of this chain: the server does not publish its RPC URL.',
  }),
  confirmations: Nullable(Type.Integer({ minimum: 1 }), {
    description:
      'Blocks (its own included) a transfer needs before it is credited; null on a development server',
  }),
})
export const DepositTxParams = Type.Object({
  tx_hash: Type.String({ pattern: '^0x[0-9a-fA-F]{64}$', description: '0x followed by 64 hex digits' }),
})

export const VerifyEmailQuery = Strict({
  token: Type.String({ minLength: 1, maxLength: 200, description: 'The token from the emailed link' }),
})
export const ResendVerificationReply = Type.Object({
  email: Type.String({ description: 'Where the link was sent' }),
  expires_at: Type.String({ format: 'date-time', description: 'The link works once, until then' }),
  message: Type.String(),
})
export const VerifyEmailReply = Type.Object({
  agent_id: Type.String(),
  email: Type.String(),
  email_verified: Type.Boolean(),
  email_verified_at: Type.String({ format: 'date-time' }),
  tier: StringEnum(TIERS, { description: 'SANDBOX agents become VERIFIED; VERIFIED and STANDARD stay' }),
  message: Type.String(),
})

export const RegisterOperatorBody = Strict({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Email,
  password: Type.String({ minLength: 10, maxLength: 200 }),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  location: Type.Optional(
    Strict({
      city: Type.Optional(Type.String({ maxLength: 100 })),
      country: Type.Optional(Type.String({ maxLength: 100 })),
    }),
  ),
  skills: Type.Optional(Type.Array(StringEnum(TASK_TYPES), { maxItems: 20, uniqueItems: true })),
})
export const LoginBody = Strict({ email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) })

export const BrowseQuery = Strict({
  ...Pagination.properties,
  cursor: Type.Optional(Cursor),
  task_type: Type.Optional(StringEnum(TASK_TYPES)),
  near: Type.Optional(
    Type.String({ pattern: '^-?\\d+(\\.\\d+)?,-?\\d+(\\.\\d+)?$', description: 'lat,lng' }),
  ),
  radius_km: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 20_000 })),
  sort: Type.Optional(
    StringEnum(BROWSE_SORTS, {
      description:
        'newest first (default without `near`), distance (default with `near`; needs it), reward, deadline',
    }),
  ),
})
export const MineQuery = Strict({
  ...Pagination.properties,
  status: Type.Optional(Type.String({ maxLength: 30 })),
})

const EstimatePart = (max: number) => Type.Optional(Type.Integer({ minimum: 0, maximum: max }))
export const AcceptBody = Strict({
  estimate_days: EstimatePart(90),
  estimate_hours: EstimatePart(23 * 90),
  estimate_minutes: EstimatePart(59 * 24 * 90),
  estimate_note: Type.Optional(Type.String({ maxLength: 2000 })),
})
export const ReleaseBody = Type.Optional(Strict({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }))

export const AdminTasksQuery = Strict({
  ...Pagination.properties,
  status: StringEnum(['MANUAL_REVIEW', 'DISPUTED'] as const),
})
export const ReviewBody = Strict({
  decision: StringEnum(['APPROVE', 'REJECT'] as const),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
})
export const ResolveBody = Strict({
  outcome: StringEnum(['PAY_OPERATOR', 'REFUND_AGENT', 'SPLIT'] as const),
  operator_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  note: Type.String({ minLength: 1, maxLength: 2000 }),
})
export const KycDecisionBody = Strict({
  decision: StringEnum(['APPROVE', 'REJECT'] as const),
  reason: Type.Optional(Type.String({ maxLength: 500, description: 'shown to the operator on a rejection' })),
})
export const TierBody = Strict({ tier: StringEnum(TIERS) })
export const RestrictionBody = Strict({
  restricted: Type.Boolean(),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
})

export const PayoutBody = Strict({
  amount_usd: Money('Amount to withdraw from the available balance (minimum $10)'),
  method: StringEnum(['usdc'] as const),
  wallet_address: Type.String({ maxLength: 100, description: 'EVM address: 0x followed by 40 hex digits' }),
  chain: StringEnum(['base'] as const),
})
export const Payout = Type.Object({
  payout_id: Type.String(),
  amount_usd: Type.Number(),
  gas_fee_usd: Type.Number(),
  net_amount_usd: Type.Number(),
  method: Type.String(),
  to_address: Type.String(),
  chain: Type.String(),
  status: StringEnum(['PENDING_ONCHAIN', 'CONFIRMED', 'FAILED'] as const),
  tx_hash: Type.Union([Type.String(), Type.Null()]),
  message: Type.String(),
  failure_reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  confirmed_at: Type.Union([Type.String(), Type.Null()]),
  failed_at: Type.Union([Type.String(), Type.Null()]),
})
export type Payout = Static<typeof Payout>
export const PayoutList = PageOf(Payout)

export const AdminPayoutsQuery = Strict({
  ...Pagination.properties,
  status: Type.Optional(StringEnum(['PENDING_ONCHAIN', 'CONFIRMED', 'FAILED'] as const)),
})
export const ReconcilePayoutBody = Strict({
  outcome: StringEnum(['CONFIRMED', 'FAILED'] as const),
  tx_hash: Type.Optional(
    Type.String({ pattern: '^0x[0-9a-fA-F]{64}$', description: 'the transfer found on chain (CONFIRMED)' }),
  ),
  note: Type.Optional(Type.String({ maxLength: 500 })),
})

export type RegisterAgentBody = Static<typeof RegisterAgentBody>
export type CreateKeyBody = Static<typeof CreateKeyBody>
export type DepositBody = Static<typeof DepositBody>
export type PageQuery = Static<typeof PageQuery>
export type WalletChallengeReply = Static<typeof WalletChallengeReply>
export type BindWalletBody = Static<typeof BindWalletBody>
export type BoundWalletReply = Static<typeof BoundWalletReply>
export type DepositAddressReply = Static<typeof DepositAddressReply>
export type DepositTxParams = Static<typeof DepositTxParams>
export type VerifyEmailQuery = Static<typeof VerifyEmailQuery>
export type ResendVerificationReply = Static<typeof ResendVerificationReply>
export type VerifyEmailReply = Static<typeof VerifyEmailReply>
export type RegisterOperatorBody = Static<typeof RegisterOperatorBody>
export type LoginBody = Static<typeof LoginBody>
export type BrowseQuery = Static<typeof BrowseQuery>
export type MineQuery = Static<typeof MineQuery>
export type AcceptBody = Static<typeof AcceptBody>
export type ReleaseBody = Static<typeof ReleaseBody>
export type AdminTasksQuery = Static<typeof AdminTasksQuery>
export type ReviewBody = Static<typeof ReviewBody>
export type ResolveBody = Static<typeof ResolveBody>
export type KycDecisionBody = Static<typeof KycDecisionBody>
export type TierBody = Static<typeof TierBody>
export type RestrictionBody = Static<typeof RestrictionBody>
export type PayoutBody = Static<typeof PayoutBody>
export type PayoutList = Static<typeof PayoutList>
export type AdminPayoutsQuery = Static<typeof AdminPayoutsQuery>
export type ReconcilePayoutBody = Static<typeof ReconcilePayoutBody>
