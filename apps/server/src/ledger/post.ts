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

/** One account change of a posting: a guarded debit of `amount`, or a credit of it. */
export interface AccountChange {
  account: string
  amount: bigint
  debit: boolean
}

/** A posting checked and put in the order it is written: what `post` runs, and what PostgreSQL's `humcli_try_create_task` runs for a create. */
export interface PlannedPosting {
  transaction: { id: string; kind: string; task_id: string | null; memo: string | null; created_at: string }
  /** In a fixed order (by account), so PostgreSQL transactions cannot deadlock on the balances. */
  changes: AccountChange[]
  entries: Posting[]
}

/** Checks that a posting balances and plans its writes; it reads and writes nothing. */
export function planPosting(input: PostInput): PlannedPosting {
  const entries = input.entries.filter((e) => e.amount !== 0n)
  const sum = entries.reduce((acc, e) => acc + e.amount, 0n)
  if (sum !== 0n) throw new Error(`ledger transaction ${input.kind} does not balance (sum ${sum})`)
  const sorted = [...entries].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0))
  return {
    transaction: {
      id: newId('ltx'),
      kind: input.kind,
      task_id: input.taskId ?? null,
      memo: input.memo ?? null,
      created_at: iso(input.at),
    },
    changes: sorted.map((e) =>
      e.amount < 0n && !mayGoNegative(e.account)
        ? { account: e.account, amount: -e.amount, debit: true }
        : { account: e.account, amount: e.amount, debit: false },
    ),
    entries,
  }
}

/** The error of a debit the account cannot cover (PostgreSQL's create answers the same as `HC002`). */
export const insufficientBalance = (account: string) =>
  new DomainError('INSUFFICIENT_BALANCE', `Insufficient balance in ${account.split(':').pop()} funds.`)

/**
 * Appends one balanced ledger transaction and updates the cached balances. Each debit is guarded
 * (the account must hold the amount) so two racing debits can never overdraw an account;
 * accounts are touched in a fixed order so PostgreSQL transactions cannot deadlock on them.
 */
export function post(tx: Tx, input: PostInput): Promise<string> {
  return writePosting(tx, planPosting(input))
}

/** Writes a planned posting with a statement per step; returns the ledger transaction's id. */
export async function writePosting(tx: Tx, plan: PlannedPosting): Promise<string> {
  const { id, created_at: at } = plan.transaction
  await insertTransaction.run(tx, plan.transaction)
  for (const c of plan.changes) {
    if (c.debit) {
      if ((await debit.run(tx, { account: c.account, amount: c.amount })) === 0n) {
        throw insufficientBalance(c.account)
      }
    } else {
      await credit.run(tx, { account: c.account, amount: c.amount, created_at: at })
    }
  }
  if (plan.entries.length > 0) {
    const params: EntryParams = { transaction_id: id, created_at: at }
    plan.entries.forEach((e, i) => {
      params[`account_${i}`] = e.account
      params[`amount_${i}`] = e.amount
    })
    await insertEntriesOf(plan.entries.length).run(tx, params)
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
