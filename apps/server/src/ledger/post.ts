import { sql } from 'kysely'
import { iso } from '../clock.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import type { Tx } from '../store/schema.ts'
import { type Statement, statement } from '../store/statement.ts'
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

const insertTransaction = statement(
  (db, p: { id: string; kind: string; task_id: string | null; memo: string | null; created_at: string }) =>
    db.insertInto('ledger_transactions').values({
      id: p.id,
      kind: p.kind,
      task_id: p.task_id,
      memo: p.memo,
      created_at: p.created_at,
    }),
)

/** A guarded debit: updates nothing when the account is missing or holds less than the amount. */
const debit = statement((db, p: { account: string; amount: bigint }) =>
  db
    .updateTable('accounts')
    .set({ balance_micros: sql`balance_micros - ${p.amount}` })
    .where('id', '=', p.account)
    .where('balance_micros', '>=', p.amount),
)

/** A credit (or an external account's entry): creates the account on first use, in one statement. */
const credit = statement((db, p: { account: string; amount: bigint; created_at: string }) =>
  db
    .insertInto('accounts')
    .values({ id: p.account, balance_micros: p.amount, created_at: p.created_at })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ balance_micros: sql`accounts.balance_micros + excluded.balance_micros` }),
    ),
)

type EntryParams = Record<string, string | bigint>

/** The entries of one transaction in one statement; one compiled form per number of entries. */
const insertEntries = new Map<number, Statement<EntryParams, unknown>>()
function insertEntriesOf(n: number): Statement<EntryParams, unknown> {
  let s = insertEntries.get(n)
  if (!s) {
    s = statement((db, p: EntryParams) =>
      db.insertInto('ledger_entries').values(
        Array.from({ length: n }, (_, i) => ({
          transaction_id: p.transaction_id as string,
          account_id: p[`account_${i}`] as string,
          amount_micros: p[`amount_${i}`] as bigint,
          created_at: p.created_at as string,
        })),
      ),
    )
    insertEntries.set(n, s)
  }
  return s
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
  await insertTransaction.run(tx, {
    id,
    kind: input.kind,
    task_id: input.taskId ?? null,
    memo: input.memo ?? null,
    created_at: at,
  })
  const sorted = [...entries].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0))
  for (const e of sorted) {
    if (e.amount < 0n && !mayGoNegative(e.account)) {
      // A debit: the account must exist and hold enough. Guarded, so racing debits cannot overdraw.
      if ((await debit.run(tx, { account: e.account, amount: -e.amount })) === 0n) {
        throw new DomainError(
          'INSUFFICIENT_BALANCE',
          `Insufficient balance in ${e.account.split(':').pop()} funds.`,
        )
      }
    } else {
      await credit.run(tx, { account: e.account, amount: e.amount, created_at: at })
    }
  }
  if (entries.length > 0) {
    const params: EntryParams = { transaction_id: id, created_at: at }
    entries.forEach((e, i) => {
      params[`account_${i}`] = e.account
      params[`amount_${i}`] = e.amount
    })
    await insertEntriesOf(entries.length).run(tx, params)
  }
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
