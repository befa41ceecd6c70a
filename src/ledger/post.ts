import { sql } from 'kysely'
import { iso } from '../clock.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import type { Tx } from '../store/schema.ts'
import { mayGoNegative } from './accounts.ts'

export interface Posting {
  account: string
  amount: bigint
}

export interface PostInput {
  kind: string
  taskId?: string | null
  memo?: string | null
  entries: Posting[]
  at: Date
}

/**
 * Appends one balanced ledger transaction and updates the cached balances. Each balance update is
 * guarded (`balance + amount >= 0`) so two racing debits can never overdraw an account; accounts
 * are touched in a fixed order so PostgreSQL transactions cannot deadlock on them.
 */
export async function post(tx: Tx, input: PostInput): Promise<string> {
  const entries = input.entries.filter((e) => e.amount !== 0n)
  const sum = entries.reduce((acc, e) => acc + e.amount, 0n)
  if (sum !== 0n) throw new Error(`ledger transaction ${input.kind} does not balance (sum ${sum})`)
  const at = iso(input.at)
  const id = newId('ltx')
  await tx
    .insertInto('ledger_transactions')
    .values({ id, kind: input.kind, task_id: input.taskId ?? null, memo: input.memo ?? null, created_at: at })
    .execute()
  const sorted = [...entries].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0))
  for (const e of sorted) {
    if (e.amount < 0n && !mayGoNegative(e.account)) {
      // A debit: the account must exist and hold enough. Guarded, so racing debits cannot overdraw.
      const r = await tx
        .updateTable('accounts')
        .set({ balance_micros: sql`balance_micros + ${e.amount}` })
        .where('id', '=', e.account)
        .where('balance_micros', '>=', -e.amount)
        .executeTakeFirst()
      if (r.numUpdatedRows === 0n) {
        throw new DomainError(
          'INSUFFICIENT_BALANCE',
          `Insufficient balance in ${e.account.split(':').pop()} funds.`,
        )
      }
    } else {
      // A credit (or an external account): create the account on first use, in one statement.
      await tx
        .insertInto('accounts')
        .values({ id: e.account, balance_micros: e.amount, created_at: at })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ balance_micros: sql`accounts.balance_micros + excluded.balance_micros` }),
        )
        .execute()
    }
  }
  await tx
    .insertInto('ledger_entries')
    .values(
      entries.map((e) => ({
        transaction_id: id,
        account_id: e.account,
        amount_micros: e.amount,
        created_at: at,
      })),
    )
    .execute()
  return id
}

export async function balanceOf(tx: Tx, account: string): Promise<bigint> {
  const row = await tx
    .selectFrom('accounts')
    .select('balance_micros')
    .where('id', '=', account)
    .executeTakeFirst()
  return row?.balance_micros ?? 0n
}

export async function balancesOf(tx: Tx, ids: string[]): Promise<Map<string, bigint>> {
  const rows = await tx
    .selectFrom('accounts')
    .select(['id', 'balance_micros'])
    .where('id', 'in', ids)
    .execute()
  const out = new Map<string, bigint>(ids.map((id) => [id, 0n]))
  for (const r of rows) out.set(r.id, r.balance_micros)
  return out
}
