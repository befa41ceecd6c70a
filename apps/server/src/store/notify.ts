import { PostgresAdapter, sql } from 'kysely'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { loadPg } from './db.ts'
import type { Tx } from './schema.ts'

/**
 * PostgreSQL LISTEN/NOTIFY, scoped to the current schema (several humcli schemas may share one
 * database): a notification's payload is `<schema>:<message>`, and a listener hears only its own
 * schema's. On SQLite both do nothing; callers poll.
 */

const sentIn = new WeakMap<object, Set<string>>()

/**
 * Whether `tx` still has to send `message` on `channel` (PostgreSQL, not yet in this
 * transaction); a true answer counts as sent, so the caller must send it.
 */
export function notifyPending(tx: Tx, channel: string, message: string): boolean {
  if (!(tx.getExecutor().adapter instanceof PostgresAdapter)) return false
  if (!tx.isTransaction) return true
  const sent = sentIn.get(tx) ?? new Set<string>()
  sentIn.set(tx, sent)
  if (sent.has(`${channel}|${message}`)) return false
  sent.add(`${channel}|${message}`)
  return true
}

/**
 * The notification as an expression, for a statement that sends it as it writes (a `returning`
 * column, so the write and the wake-up are one round trip). Delivered at COMMIT.
 */
export const notifyExpression = (channel: unknown, message: unknown) =>
  sql<null>`pg_notify(${channel}, current_schema() || ':' || ${message})`

const RECONNECT_MS = 1_000

/**
 * Listens on `channel` on a connection of its own, reconnecting after an error; returns a function
 * that stops. `onMessage` gets the message without the schema prefix.
 */
export async function listen(
  config: Pick<Config, 'databaseUrl' | 'databaseSchema'>,
  channel: string,
  onMessage: (message: string) => void,
  log: Logger,
): Promise<() => Promise<void>> {
  let stopped = false
  let client: pg.Client | null = null
  let retry: NodeJS.Timeout | null = null
  const connect = async () => {
    const c = new (loadPg().Client)({
      connectionString: config.databaseUrl,
      ...(config.databaseSchema ? { options: `-c search_path=${config.databaseSchema}` } : {}),
    })
    const again = (err?: unknown) => {
      if (err) log.warn({ err }, `LISTEN ${channel} connection lost; polling until it is back`)
      c.removeAllListeners()
      c.end().catch(() => {})
      if (!stopped && client === c) retry = setTimeout(() => void connect().catch(again), RECONNECT_MS)
    }
    client = c
    c.on('error', again)
    await c.connect()
    const schema = (await c.query<{ s: string }>('select current_schema() as s')).rows[0]?.s ?? 'public'
    const prefix = `${schema}:`
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload?.startsWith(prefix)) onMessage(n.payload.slice(prefix.length))
    })
    await c.query(`listen ${channel}`)
  }
  try {
    await connect()
  } catch (err) {
    log.warn({ err }, `LISTEN ${channel} failed; polling only`)
  }
  return async () => {
    stopped = true
    if (retry) clearTimeout(retry)
    await client?.end().catch(() => {})
  }
}
