import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import type PgModule from 'pg'
import { type Config, isPostgres } from '../config.ts'
import { GroupCommitter } from './group-commit.ts'
import type { Database } from './schema.ts'

export type DialectName = 'sqlite' | 'postgres'

// Each driver is loaded only by the dialect that uses it (both are CommonJS, so synchronously).
const requireDriver = createRequire(import.meta.url)
const loadSqlite = () => requireDriver('better-sqlite3') as typeof SqliteDatabase
export const loadPg = () => requireDriver('pg') as typeof PgModule

export interface Store {
  db: Kysely<Database>
  dialect: DialectName
  /** SQLite only: concurrent transactions commit together (see group-commit.ts). */
  groupCommit: GroupCommitter | null
  close(): Promise<void>
}

/**
 * Kysely prepares every query anew; preparing costs more than running most of ours. The SQL text
 * of a Kysely query depends only on its shape, so prepared statements are reused by text.
 * Statements run synchronously on the one connection, so reuse is safe.
 */
function withStatementCache(sqlite: SqliteDatabase.Database, max = 500) {
  const cache = new Map<string, SqliteDatabase.Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql)
      if (!stmt) {
        stmt = sqlite.prepare(sql)
        if (cache.size >= max) cache.delete(cache.keys().next().value!)
        cache.set(sql, stmt)
      }
      return stmt
    },
  }
}

/**
 * Checkpoints happen on a worker thread (see checkpointer.mjs); the writer's own auto-checkpoint
 * stays on at a high mark as a backstop, should the worker fall behind. Small, frequent
 * checkpoints (every 50 ms by default) keep the request thread's tail latency down: on a 2-core
 * machine each checkpoint competes with it for a core, and a 200 ms interval made bursts long
 * enough to show in create-task's p99 (ADR 0011).
 */
function startCheckpointer(sqlite: SqliteDatabase.Database, file: string, intervalMs: number) {
  sqlite.pragma('wal_autocheckpoint = 20000')
  sqlite.pragma('journal_size_limit = 67108864')
  const worker = new Worker(new URL('./checkpointer.mjs', import.meta.url), {
    workerData: { file: path.resolve(file), intervalMs },
  })
  worker.unref()
  let exited = false
  worker.on('error', () => {
    // The backstop auto-checkpoint keeps the WAL bounded without the worker.
  })
  worker.once('exit', () => {
    exited = true
  })
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve()
        // Keep the process alive until the worker has closed its connection.
        worker.ref()
        worker.once('exit', () => resolve())
        worker.postMessage('stop')
      }),
  }
}

// int8 and int4 both read back as bigint so that both dialects return the same types.
const toBigInt = (v: string) => BigInt(v)

export interface StoreOptions {
  /** PostgreSQL pool size (default 10; `HUMCLI_PG_POOL_SIZE` through `createContext`). */
  poolSize?: number
  /** SQLite: checkpoint the WAL on a worker thread (long-running servers); short commands skip it. */
  backgroundCheckpoints?: boolean
  /** SQLite: how often the worker checkpoints, in ms (default 50). */
  checkpointIntervalMs?: number
  /**
   * SQLite: refuse a `withTx` nested in another (it would wait for itself) instead of hanging.
   * On by default; production turns it off, as it costs CPU on every request (`GroupCommitter`).
   */
  refuseNestedTx?: boolean
  /** SQLite: the page size of a new database file (an existing file keeps its own). */
  pageSize?: number
}

export function createStore(
  config: Pick<Config, 'databaseUrl' | 'databaseSchema'>,
  opts: StoreOptions = {},
): Store {
  const poolSize = opts.poolSize ?? 10
  if (isPostgres(config)) {
    const schema = config.databaseSchema
    const pg = loadPg()
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: poolSize,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 || oid === 23
            ? toBigInt
            : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    })
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { db, dialect: 'postgres', groupCommit: null, close: () => db.destroy() }
  }
  const file = config.databaseUrl.replace(/^sqlite:(\/\/)?/, '')
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const Sqlite = loadSqlite()
  const sqlite = new Sqlite(file)
  // The page size can only be chosen while the file is still empty, before WAL mode is set.
  if (opts.pageSize && Number(sqlite.pragma('page_count', { simple: true })) === 0) {
    sqlite.pragma(`page_size = ${opts.pageSize}`)
  }
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('cache_size = -32000')
  sqlite.defaultSafeIntegers(true)
  const checkpointer =
    opts.backgroundCheckpoints && file !== ':memory:'
      ? startCheckpointer(sqlite, file, opts.checkpointIntervalMs ?? 50)
      : null
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  return {
    db,
    dialect: 'sqlite',
    groupCommit: new GroupCommitter(db, opts.refuseNestedTx ?? true),
    close: async () => {
      await checkpointer?.stop()
      await db.destroy()
    },
  }
}
