// What the agent account endpoints answer (spec §3–4): registration, profile, keys, balance,
// ledger and deposits. Money is USD as JSON numbers; times are ISO-8601 strings.
import { type Static, Type } from '@sinclair/typebox'
import { ListOf, Nullable, PageOf, StringEnum, Timestamp } from './common.ts'
import { TIERS } from './enums.ts'
import { TierLimits } from './task-replies.ts'

export const AgentRegistration = Type.Object({
  agent_id: Type.String(),
  api_key: Type.String({ description: 'The `ho_live_` key, shown this once' }),
  tier: Type.Literal('SANDBOX'),
  verification_required: Type.Boolean(),
  sandbox_info: Type.Object({
    what: Type.String(),
    why: Type.String(),
    how_to_upgrade: Type.String(),
    limits: TierLimits,
  }),
  message: Type.String(),
})
export type AgentRegistration = Static<typeof AgentRegistration>

export const Balance = Type.Object({
  deposit_balance: Type.Number({ description: 'Available to escrow (USD)' }),
  escrow_balance: Type.Number({ description: 'Held for open tasks (USD)' }),
  currency: Type.Literal('USD'),
})
export type Balance = Static<typeof Balance>

export const AgentProfile = Type.Object({
  agent_id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  company: Nullable(Type.String()),
  tier: StringEnum(TIERS),
  limits: TierLimits,
  usage_today: Type.Object({
    tasks: Type.Integer(),
    spend_usd: Type.Number(),
    remaining_tasks: Type.Integer(),
  }),
  wallet_address: Nullable(Type.String()),
  email_verified: Type.Boolean(),
  restricted: Type.Boolean(),
  restricted_reason: Nullable(Type.String()),
  balance: Balance,
  created_at: Timestamp(),
})
export type AgentProfile = Static<typeof AgentProfile>

export const ApiKeySummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  key_prefix: Type.String({ description: 'The first characters of the key, for recognising it' }),
  last_used_at: Nullable(Timestamp()),
  created_at: Timestamp(),
})
export type ApiKeySummary = Static<typeof ApiKeySummary>
export const ApiKeyList = ListOf(ApiKeySummary)

export const NewApiKey = Type.Object({
  id: Type.String(),
  name: Type.String(),
  key: Type.String({ description: 'The whole key, shown this once' }),
  api_key: Type.String({ description: 'The same as `key`' }),
  key_prefix: Type.String(),
  created_at: Timestamp(),
})
export type NewApiKey = Static<typeof NewApiKey>

export const RevokedKey = Type.Object({ id: Type.String(), revoked_at: Timestamp() })
export type RevokedKey = Static<typeof RevokedKey>

export const LedgerLine = Type.Object({
  id: Type.String(),
  transaction_id: Type.String(),
  kind: Type.String({ description: 'e.g. deposit, task.escrow, task.refund, admin.credit' }),
  account: StringEnum(['deposit', 'escrow'] as const),
  amount_usd: Type.Number({ description: 'Signed: negative leaves the account (USD)' }),
  task_id: Nullable(Type.String()),
  memo: Nullable(Type.String()),
  created_at: Timestamp(),
})
export type LedgerLine = Static<typeof LedgerLine>
export const LedgerPage = PageOf(LedgerLine)

export const Deposit = Type.Object({
  deposit_id: Type.String(),
  tx_hash: Type.String(),
  chain: Type.String(),
  amount_usdc: Type.Number({ description: 'What the chain says was sent' }),
  status: StringEnum(['PENDING_CONFIRMATION', 'CONFIRMED'] as const),
  created_at: Timestamp(),
  deposits: Type.Array(
    Type.Object({ deposit_id: Type.String(), log_index: Type.Integer(), amount_usdc: Type.Number() }),
    {
      description:
        'One per USDC transfer to the deposit address in the transaction (the first is `deposit_id`)',
    },
  ),
})
export type Deposit = Static<typeof Deposit>

const DEPOSIT_STATES = ['PENDING_CONFIRMATION', 'CONFIRMED', 'REORGED'] as const
export const DepositStatus = Type.Object({
  tx_hash: Type.String(),
  chain: Type.String(),
  status: StringEnum(DEPOSIT_STATES, {
    description:
      'CONFIRMED once every transfer of the transaction is credited; REORGED when the chain dropped ' +
      'them all (never credited); PENDING_CONFIRMATION until then',
  }),
  amount_usdc: Type.Number({ description: 'What the transaction moved to you, REORGED transfers left out' }),
  block_number: Nullable(Type.Integer(), {
    description: 'The block it was mined in (null on a development server)',
  }),
  deposits: Type.Array(
    Type.Object({
      deposit_id: Type.String(),
      log_index: Type.Integer(),
      amount_usdc: Type.Number(),
      status: StringEnum(DEPOSIT_STATES),
      confirmed_at: Nullable(Timestamp()),
    }),
  ),
})
export type DepositStatus = Static<typeof DepositStatus>

export type ApiKeyList = Static<typeof ApiKeyList>
export type LedgerPage = Static<typeof LedgerPage>
