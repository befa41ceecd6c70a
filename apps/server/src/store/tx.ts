import { type Kysely, type QueryExecutorProvider, sql } from 'kysely'
import type { DialectName } from './db.ts'
import type { GroupCommitter } from './group-commit.ts'
import type { Database, Tx } from './schema.ts'
import { openTxScope } from './tx-scope.ts'

const RETRYABLE_PG = new Set(['40001', '40P01'])

type TxStore = { db: Kysely<Database>; dialect: DialectName; groupCommit?: GroupCommitter | null }

/**
 * Runs `fn` in one database transaction. On SQLite the transaction starts with BEGIN IMMEDIATE so
 * a second process (e.g. `humcli admin credit` next to `humcli serve`) waits for the write lock
 * instead of failing half-way, and a server's store commits concurrent transactions in groups
 * (see `GroupCommitter`); on PostgreSQL a serialization failure or deadlock is retried.
 */
export async function withTx<T>(store: TxStore, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const scope = openTxScope()
  if (!scope) return runTx(store, fn)
  // The business transaction of an idempotent request (`TxScope`): replayed from its committed
  // result, or run with the request's record written in the same transaction.
  if (scope.replay) {
    scope.committed = true
    return scope.replay.value as T
  }
  const value = await runTx(store, async (tx) => {
    const v = await fn(tx)
    await scope.beforeCommit(tx, v)
    return v
  })
  scope.committed = true
  scope.afterCommit()
  return value
}

async function runTx<T>(store: TxStore, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (store.groupCommit) return store.groupCommit.run(fn)
  if (store.dialect === 'sqlite') {
    return store.db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn)
      try {
        const result = await fn(conn)
        await sql`commit`.execute(conn)
        return result
      } catch (err) {
        await sql`rollback`.execute(conn)
        throw err
      }
    })
  }
  return retryingPg(() => store.db.transaction().execute(fn))
}

/** Runs `attempt` again (up to 5 times in all) after a PostgreSQL serialization failure or deadlock. */
async function retryingPg<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt()
    } catch (err) {
      const code = (err as { code?: string }).code
      if (n < 5 && code && RETRYABLE_PG.has(code)) continue
      throw err
    }
  }
}

/**
 * For a unit of work whose writes are one statement, atomic on its own (`createTask` on
 * PostgreSQL: `humcli_create_task`): on PostgreSQL `fn` runs on the pool with no BEGIN and no
 * COMMIT, two round trips fewer, and its reads see committed data as they would in a READ
 * COMMITTED transaction. When an idempotent request's record must commit with it (`TxScope`), and
 * on SQLite (group commit), it is `withTx`.
 */
export async function withOneWrite<T>(store: TxStore, fn: (db: Tx) => Promise<T>): Promise<T> {
  if (store.dialect !== 'postgres' || openTxScope()) return withTx(store, fn)
  return retryingPg(() => fn(store.db))
}

/** Locks a row for the rest of the transaction on PostgreSQL; SQLite already has one writer. */
export async function lockRow(
  tx: Tx,
  dialect: DialectName,
  table: 'tasks' | 'operators' | 'agents',
  id: string,
) {
  if (dialect === 'postgres') {
    await sql`select id from ${sql.table(table)} where id = ${id} for update`.execute(tx)
  }
}

/**
 * Serialises one section of work across processes until the transaction ends, on PostgreSQL: a
 * transaction-scoped advisory lock whose key is `name` within the current schema (several humcli
 * schemas may share a database). SQLite already has one writer.
 */
export async function lockSection(
  tx: QueryExecutorProvider,
  dialect: DialectName,
  name: string,
  mode: 'exclusive' | 'shared' = 'exclusive',
) {
  if (dialect === 'postgres') await sql`select ${sectionLock(name, mode)}`.execute(tx)
}

/**
 * PostgreSQL: `lockSection`'s lock as an expression, for a statement that takes it as it writes
 * (a `returning` column). `shared` holders run side by side and only wait for an exclusive one.
 * Migration 0029's trigger spells the fan-out's key out (`:humcli-fan-out`): keep the two alike.
 */
export const sectionLock = (name: string, mode: 'exclusive' | 'shared') =>
  mode === 'shared'
    ? sql<null>`pg_advisory_xact_lock_shared(hashtext(current_schema() || ${`:humcli-${name}`}))`
    : sql<null>`pg_advisory_xact_lock(hashtext(current_schema() || ${`:humcli-${name}`}))`

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return (
    e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  )
}
