import {
  type Compilable,
  type CompiledQuery,
  createQueryId,
  type Kysely,
  type RootOperationNode,
} from 'kysely'
import type { Database } from './schema.ts'

/** Where a named parameter goes in a compiled query. */
class Slot {
  constructor(readonly name: string) {}
}

type Binder = Slot | { value: unknown }

interface Compiled {
  sql: string
  query: RootOperationNode
  binders: Binder[]
}

/**
 * A query written once with Kysely's builder and compiled once per dialect; each execution binds
 * new parameter values to the compiled SQL. Building and compiling a query costs more than
 * SQLite takes to run most of ours (about 5–15 µs against 3–10 µs), so the hot paths — creating a
 * task, posting to the ledger, queueing a job — use these (ADR 0010).
 *
 * `build` runs once per database, on first use, with placeholders for the parameters: it must
 * use each only as a value (in `values`, `set`, `where` comparisons or a `sql` template) and
 * never inspect it, since the query's shape cannot depend on the parameters. When it spreads the
 * placeholders (`values({ ...p })`), every call must pass the same keys; a missing one is an
 * error.
 */
export interface Statement<P, R> {
  /** All rows (a select or a `returning` clause). */
  rows(db: Kysely<Database>, params: P): Promise<R[]>
  first(db: Kysely<Database>, params: P): Promise<R | undefined>
  /** Rows inserted, updated or deleted. */
  run(db: Kysely<Database>, params: P): Promise<bigint>
}

/**
 * A placeholder for every parameter. The keys of the first call's parameters are the object's own
 * keys, so `build` may also spread it (`values({ ...p })`) to insert every column of a row type.
 */
function placeholders<P>(first: P): P {
  const slots: Record<string, Slot> = {}
  for (const key of Object.keys(first as object)) slots[key] = new Slot(key)
  return new Proxy(slots, {
    get: (target, key) => (typeof key === 'string' ? (target[key] ?? new Slot(key)) : undefined),
  }) as P
}

export function statement<P extends Record<string, unknown>, R = unknown>(
  build: (db: Kysely<Database>, p: P) => Compilable<R>,
): Statement<P, R> {
  // One compiled form per dialect: the adapter is the dialect's, shared by every connection.
  const byAdapter = new WeakMap<object, Compiled>()
  const compiledFor = (db: Kysely<Database>, first: P): Compiled => {
    const adapter = db.getExecutor().adapter
    let c = byAdapter.get(adapter)
    if (!c) {
      const q = build(db, placeholders(first)).compile()
      c = {
        sql: q.sql,
        query: q.query,
        binders: q.parameters.map((v) => (v instanceof Slot ? v : { value: v })),
      }
      byAdapter.set(adapter, c)
    }
    return c
  }
  const execute = (db: Kysely<Database>, params: P) => {
    const c = compiledFor(db, params)
    const parameters = c.binders.map((b) => {
      if (!(b instanceof Slot)) return b.value
      const v = params[b.name]
      if (v === undefined) throw new Error(`statement parameter \`${b.name}\` is missing`)
      return v
    })
    const compiled: CompiledQuery<R> = { sql: c.sql, query: c.query, parameters, queryId: createQueryId() }
    return db.executeQuery(compiled)
  }
  return {
    rows: async (db, params) => (await execute(db, params)).rows,
    first: async (db, params) => (await execute(db, params)).rows[0],
    run: async (db, params) => (await execute(db, params)).numAffectedRows ?? 0n,
  }
}
