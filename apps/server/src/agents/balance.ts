import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { microsToUsd } from '../domain/money.ts'
import { type Tier, utcDay } from '../domain/tiers.ts'
import { accounts } from '../ledger/accounts.ts'
import { balancesOf } from '../ledger/post.ts'
import { loadAgent } from './load.ts'
import { limitsJson } from './register-agent.ts'

export async function agentBalance(ctx: Ctx, agentId: string) {
  const available = accounts.agentAvailable(agentId)
  const escrow = accounts.agentEscrow(agentId)
  const b = await balancesOf(ctx.store.db, [available, escrow])
  return {
    deposit_balance: microsToUsd(b.get(available)!),
    escrow_balance: microsToUsd(b.get(escrow)!),
    currency: 'USD',
  }
}

export async function agentMe(ctx: Ctx, agentId: string) {
  const db = ctx.store.db
  const agent = await loadAgent(db, agentId)
  const usage = await db
    .selectFrom('agent_daily_usage')
    .select(['tasks', 'spend_micros'])
    .where('agent_id', '=', agentId)
    .where('day', '=', utcDay(ctx.clock.now()))
    .executeTakeFirst()
  const tier = agent.tier as Tier
  return {
    agent_id: agent.id,
    name: agent.name,
    email: agent.email,
    company: agent.company,
    tier,
    limits: limitsJson(ctx.config.tierLimits, tier),
    usage_today: {
      tasks: Number(usage?.tasks ?? 0n),
      spend_usd: microsToUsd(usage?.spend_micros ?? 0n),
      remaining_tasks: ctx.config.tierLimits[tier].maxDailyTasks - Number(usage?.tasks ?? 0n),
    },
    wallet_address: agent.wallet_address,
    email_verified: agent.email_verified_at !== null,
    restricted: agent.restricted_at !== null,
    restricted_reason: agent.restricted_reason,
    balance: await agentBalance(ctx, agentId),
    created_at: agent.created_at,
  }
}

/** The agent's ledger lines (both its accounts), newest first. */
export async function agentTransactions(ctx: Ctx, agentId: string, page: { limit: number; offset: number }) {
  const ids = [accounts.agentAvailable(agentId), accounts.agentEscrow(agentId)]
  const db = ctx.store.db
  const total = await db
    .selectFrom('ledger_entries')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('account_id', 'in', ids)
    .executeTakeFirstOrThrow()
  const rows = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
    .select([
      'e.id',
      'e.account_id',
      'e.amount_micros',
      't.id as transaction_id',
      't.kind',
      't.task_id',
      't.memo',
      'e.created_at',
    ])
    .where('e.account_id', 'in', ids)
    .orderBy('e.id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
  return {
    data: rows.map((r) => ({
      id: String(r.id),
      transaction_id: r.transaction_id,
      kind: r.kind,
      account: r.account_id.endsWith(':escrow') ? 'escrow' : 'deposit',
      amount_usd: microsToUsd(r.amount_micros),
      task_id: r.task_id,
      memo: r.memo,
      created_at: r.created_at,
    })),
    pagination: { ...page, total: Number(total.n) },
  }
}
