import fs from 'node:fs'
import path from 'node:path'
import { type Kysely, sql } from 'kysely'
import { type Config, isPostgres } from '../config.ts'

type DbConfig = Pick<Config, 'databaseUrl' | 'databaseSchema'>

/** The SQLite file a config names, or null for PostgreSQL and `:memory:`. */
export function sqliteFile(config: DbConfig): string | null {
  if (isPostgres(config)) return null
  const file = config.databaseUrl.replace(/^sqlite:(\/\/)?/, '')
  return file === ':memory:' ? null : path.resolve(file)
}

/** Which database a config opens, for people: never the password. */
export function describeDatabase(config: DbConfig): string {
  const file = sqliteFile(config)
  if (file) return `SQLite ${file}`
  if (!isPostgres(config)) return 'SQLite in memory'
  const u = new URL(config.databaseUrl)
  const where = `${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`
  return `PostgreSQL ${where}${config.databaseSchema ? `, schema ${config.databaseSchema}` : ''}`
}

/** SQLite: is there a file yet? Asked before the store is opened, since opening creates it. */
export function sqliteFileMissing(config: DbConfig): boolean {
  const file = sqliteFile(config)
  return file !== null && (!fs.existsSync(file) || fs.statSync(file).size === 0)
}

/** Has humcli ever migrated this database (its bookkeeping table exists)? */
export async function hasHumcliSchema(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<boolean> {
  const q =
    dialect === 'postgres'
      ? sql<{ t: string | null }>`select to_regclass('humcli_migrations')::text as t`
      : sql<{
          t: string | null
        }>`select name as t from sqlite_master where type = 'table' and name = 'humcli_migrations'`
  const rows = (await q.execute(db)).rows
  return rows.length > 0 && rows[0]!.t !== null
}
