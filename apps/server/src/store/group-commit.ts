import { AsyncLocalStorage } from 'node:async_hooks'
import { type Kysely, sql } from 'kysely'
import type { Database, Tx } from './schema.ts'

interface Pending {
  fn: (tx: Tx) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (err: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown }

const MAX_BATCH = 128

/**
 * Set while a batch runs a transaction: a nested `run` would wait for itself forever. Only when
 * `refuseNested` is on (development and tests): an active AsyncLocalStorage makes Node 20 run
 * hooks on every promise the process creates, about 7% of a create-task request's CPU.
 */
const insideTx = new AsyncLocalStorage<true>()

/**
 * Group commit for SQLite. Transactions that arrive while another batch is committing are run
 * one after another inside one `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint: a
 * transaction that throws is rolled back to its savepoint alone, as if it had never run. They run
 * strictly in sequence on the one connection, so the result is the same as running them one at a
 * time — but the cost of committing (writing the WAL) is paid once per batch, not once per
 * request. A caller's promise settles only after the batch has committed.
 */
export class GroupCommitter {
  private queue: Pending[] = []
  private draining = false

  constructor(
    private readonly db: Kysely<Database>,
    readonly refuseNested = true,
  ) {}

  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.refuseNested && insideTx.getStore()) {
      return Promise.reject(
        new Error('withTx called inside a transaction: pass the open transaction down instead'),
      )
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject })
      if (!this.draining) {
        // Start on the next turn of the event loop, so every request that arrived in this one
        // joins the same batch.
        this.draining = true
        setImmediate(() => void this.drain())
      }
    })
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH)
        try {
          const outcomes = await this.db
            .connection()
            .execute((conn) => runBatch(conn, batch, this.refuseNested))
          batch.forEach((p, i) => {
            const o = outcomes[i]!
            if (o.ok) p.resolve(o.value)
            else p.reject(o.err)
          })
        } catch (err) {
          // BEGIN or COMMIT failed: nothing of this batch was committed.
          for (const p of batch) p.reject(err)
        }
      }
    } finally {
      this.draining = false
    }
  }
}

async function runBatch(conn: Tx, batch: Pending[], refuseNested: boolean): Promise<Outcome[]> {
  await sql`begin immediate`.execute(conn)
  const outcomes: Outcome[] = []
  try {
    for (const p of batch) {
      await sql`savepoint humcli_tx`.execute(conn)
      try {
        const value = await (refuseNested ? insideTx.run(true, () => p.fn(conn)) : p.fn(conn))
        await sql`release humcli_tx`.execute(conn)
        outcomes.push({ ok: true, value })
      } catch (err) {
        await sql`rollback to humcli_tx`.execute(conn)
        await sql`release humcli_tx`.execute(conn)
        outcomes.push({ ok: false, err })
      }
    }
    await sql`commit`.execute(conn)
  } catch (err) {
    await sql`rollback`.execute(conn).catch(() => {})
    throw err
  }
  return outcomes
}
