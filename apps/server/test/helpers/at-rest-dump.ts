/** What an attacker with a copy of the database sees: every byte of the data folder, every PostgreSQL row. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { PG_URL, type TestServer } from './harness.ts'

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? filesUnder(p) : [p]
  })
}

/** Every byte of the data folder (the SQLite file, its WAL and shared memory, stored files, secrets). */
export function dataFolderDump(s: TestServer): Buffer {
  const files = filesUnder(s.db.dir)
  assert.ok(files.length > 0)
  return Buffer.concat(files.map((f) => fs.readFileSync(f)))
}

/** Every row of every table in the test schema, as PostgreSQL's text form of the row. */
export async function postgresDump(s: TestServer): Promise<string> {
  const c = new pg.Client({ connectionString: PG_URL! })
  await c.connect()
  try {
    const schema = s.db.databaseSchema!
    const tables = await c.query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1',
      [schema],
    )
    assert.ok(tables.rows.length > 10)
    let out = ''
    for (const { table_name } of tables.rows) {
      const rows = await c.query<{ r: string }>(`select t::text as r from "${schema}"."${table_name}" t`)
      out += `${table_name}\n${rows.rows.map((r) => r.r).join('\n')}\n`
    }
    return out
  } finally {
    await c.end()
  }
}

/** Every live row of every table, as text (what a SELECT returns, not the file's free pages). */
export async function rowDump(s: TestServer): Promise<Buffer> {
  if (s.ctx.store.dialect === 'postgres') return Buffer.from(await postgresDump(s))
  const db = s.ctx.store.db
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
  let out = ''
  for (const { name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db)
    out += `${name}\n${rows.rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).join('\n')}\n`
  }
  return Buffer.from(out)
}

/** The database as stored: the data folder on SQLite, the rows on PostgreSQL. */
export async function databaseDump(s: TestServer): Promise<Buffer> {
  return s.ctx.store.dialect === 'postgres' ? Buffer.from(await postgresDump(s)) : dataFolderDump(s)
}

/** The spellings a value may be stored in: UTF-8, UTF-16 and hex. */
export const forms = (value: string) => [
  Buffer.from(value, 'utf8'),
  Buffer.from(value, 'utf16le'),
  Buffer.from(Buffer.from(value).toString('hex')),
]
