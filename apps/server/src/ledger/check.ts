import { sql } from 'kysely'
import type { Tx } from '../store/schema.ts'
import { mayGoNegative } from './accounts.ts'
import { taskCountProblems } from './task-count-check.ts'

export interface LedgerCheckResult {
  ok: boolean
  transactions: number
  accounts: number
  problems: string[]
}

/**
 * Proves the ledger's invariants: every transaction sums to zero, no account (but external ones)
 * is negative, and every cached balance equals the sum of its entries; and the task counters
 * behind `pagination.total` (`task_counts`) equal a real count of the tasks.
 */
export async function ledgerCheck(db: Tx): Promise<LedgerCheckResult> {
  const problems: string[] = []
  const unbalanced = await db
    .selectFrom('ledger_entries')
    .select(['transaction_id', sql<bigint>`cast(sum(amount_micros) as bigint)`.as('total')])
    .groupBy('transaction_id')
    .having(sql`sum(amount_micros)`, '<>', 0)
    .execute()
  for (const u of unbalanced) problems.push(`transaction ${u.transaction_id} sums to ${u.total}, not 0`)

  const sums = await db
    .selectFrom('accounts as a')
    .leftJoin('ledger_entries as e', 'e.account_id', 'a.id')
    .select([
      'a.id',
      'a.balance_micros',
      sql<bigint>`cast(coalesce(sum(e.amount_micros), 0) as bigint)`.as('total'),
    ])
    .groupBy(['a.id', 'a.balance_micros'])
    .execute()
  for (const s of sums) {
    if (BigInt(s.total) !== s.balance_micros) {
      problems.push(`account ${s.id} caches ${s.balance_micros} but its entries sum to ${s.total}`)
    }
    if (BigInt(s.total) < 0n && !mayGoNegative(s.id))
      problems.push(`account ${s.id} is negative (${s.total})`)
  }
  problems.push(...(await taskCountProblems(db)))
  const txCount = await db
    .selectFrom('ledger_transactions')
    .select(sql<bigint>`count(*)`.as('n'))
    .executeTakeFirstOrThrow()
  return { ok: problems.length === 0, transactions: Number(txCount.n), accounts: sums.length, problems }
}
