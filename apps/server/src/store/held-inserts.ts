import { type Insertable, PostgresAdapter, type QueryCreator, type RawBuilder, sql } from 'kysely'
import type { Database, Tx } from './schema.ts'

/** The tables whose rows a transaction writes and never reads back before it commits. */
type HeldTable = 'task_transitions' | 'outbox' | 'jobs' | 'task_count_deltas'

/** Rows per multi-row insert: well inside PostgreSQL's 65,535 parameters at ≤ 8 columns a row. */
const ROWS_PER_INSERT = 500

/**
 * PostgreSQL: the log, outbox, job and counter-delta rows of a status change, held and sent as one statement
 * (`flush`): a multi-row insert per table, joined as data-modifying CTEs, whose main query sends
 * the NOTIFYs the rows need. A status change wrote these in 3–6 round trips, each costing
 * Node ~140 µs of CPU on a loopback connection; now one (ADR 0024, amendment of 2026-12-03).
 *
 * Rows of one table go in the order they were added, so the outbox's `seq` keeps the events'
 * order. Nothing in the transaction may read these tables between `add` and `flush`: the holders
 * (`transitionTask`, `enqueueJobs`) flush before they return.
 */
export class HeldInserts {
  private readonly rows = new Map<HeldTable, object[]>()
  private readonly notifies: RawBuilder<null>[] = []

  private constructor(private readonly tx: Tx) {}

  /**
   * Holds for a PostgreSQL transaction; null on SQLite (in-process, where a statement costs
   * microseconds and each insert runs at once) or outside a transaction.
   */
  static of(tx: Tx): HeldInserts | null {
    return tx.isTransaction && tx.getExecutor().adapter instanceof PostgresAdapter
      ? new HeldInserts(tx)
      : null
  }

  add<T extends HeldTable>(table: T, row: Insertable<Database[T]>): void {
    const list = this.rows.get(table)
    if (list) list.push(row)
    else this.rows.set(table, [row])
  }

  /** A NOTIFY (`notifyExpression`) to send with the rows; delivered at COMMIT. */
  notify(expression: RawBuilder<null>): void {
    this.notifies.push(expression)
  }

  /** Writes everything held, in one statement, and empties the holder. */
  async flush(): Promise<void> {
    const inserts: { table: HeldTable; rows: object[] }[] = []
    for (const [table, rows] of this.rows) {
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        inserts.push({ table, rows: rows.slice(i, i + ROWS_PER_INSERT) })
      }
    }
    const notifies = this.notifies.splice(0)
    this.rows.clear()
    if (inserts.length === 0 && notifies.length === 0) return
    // Each list holds rows of its own table (`add`'s type says so).
    const insert = (i: (typeof inserts)[number]) => this.tx.insertInto(i.table).values(i.rows as never)
    if (inserts.length === 1 && notifies.length === 0) {
      await insert(inserts[0]!).execute()
      return
    }
    // `with w0 as (insert …), w1 as (insert …) select pg_notify(…), …`: PostgreSQL runs every
    // data-modifying CTE to completion whether or not the main query reads it.
    let creator: QueryCreator<Database> = this.tx
    for (const [i, held] of inserts.entries()) {
      // In SQL a CTE may be an insert without `returning`; Kysely's types want one with rows.
      creator = creator.with(`w${i}`, () => insert(held) as never) as unknown as QueryCreator<Database>
    }
    const selections = notifies.length > 0 ? notifies : [sql<null>`null`]
    await creator.selectNoFrom(selections.map((n, i) => n.as(`n${i}`))).execute()
  }
}
