import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import type { DialectName } from './db.ts'
import * as m0001 from './migrations/0001-initial.ts'

type DialectMigration = { up(db: Kysely<unknown>, dialect: DialectName): Promise<void> }

const MIGRATIONS: Record<string, DialectMigration> = { '0001-initial': m0001 }

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {}
    for (const [name, m] of Object.entries(MIGRATIONS)) {
      out[name] = { up: (db) => m.up(db, this.dialect) }
    }
    return out
  }
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: DialectName): Promise<string[]> {
  // Without a schema Kysely takes its migration tables in *any* schema of the database as its own,
  // so a second humcli schema in one PostgreSQL database would skip creating them and fail.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined
  const migrator = new Migrator({ db, provider: new StaticProvider(dialect), migrationTableSchema: schema })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
