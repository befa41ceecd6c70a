import { type Kysely, sql } from 'kysely'
import type { DialectName } from '../db.ts'

// biome-ignore lint/suspicious/noExplicitAny: a migration sees the tables as they were, not as schema.ts types them now
type AnyDb = Kysely<any>

/**
 * Browse near a dense city at the cost of a page (issue 17, ADR 0026). `geo_cell` becomes the
 * 0.01° band of latitude (`geoCell`), and `tasks_status_cell` orders a band's open tasks by
 * longitude, so a box of any size is one index range per band, read from index entries only.
 * The 0.25° cells it replaces held thousands of a city's tasks each, all read for any page.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const d = db as AnyDb
  await d.schema.dropIndex('tasks_status_cell').execute()
  await backfill(d, dialect)
  await d.schema
    .createIndex('tasks_status_cell')
    .on('tasks')
    .columns([
      'status',
      'geo_cell',
      'location_lng',
      'location_lat',
      'sandbox',
      'task_type',
      'deadline',
      'created_at',
      'reward_micros',
      'id',
    ])
    .execute()
}

/**
 * The band of every located task, as `geoCell` (domain/geo.ts) computes it: 0.01° rows from -90°.
 * Exported for the test that runs it over tasks written by the current code and compares.
 */
export async function backfill(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const floor = (e: string) => (dialect === 'postgres' ? `floor(${e})::bigint` : `cast(${e} as integer)`)
  const least = dialect === 'postgres' ? 'least' : 'min'
  await sql
    .raw(
      `update tasks set geo_cell = ${least}(${floor('(location_lat + 90) / 0.01')}, 17999) where location_lat is not null and location_lng is not null`,
    )
    .execute(db)
}
