// The ceiling for create-task: a bare Fastify endpoint doing one insert per request, nothing else.
//
// SQLite (a file path): the same settings as humcli (WAL, synchronous=NORMAL). It keeps SQLite's
// default 4 KiB pages: with humcli's 1 KiB pages (ADR 0011) it ran slower (about 6,700 against
// 8,000 req/s: one random-key insert per commit), and the higher ceiling is the harder bar.
//
// PostgreSQL (a postgres:// URL; schema HUMCLI_DB_SCHEMA): one autocommitted insert per request,
// as a named prepared statement, on a pool of HUMCLI_PG_POOL_SIZE (10) connections, as humcli's.
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import Fastify from 'fastify'
import pg from 'pg'

const target = process.argv[2]
const port = Number(process.argv[3] ?? 0)
if (!target) throw new Error('usage: ceiling-server.ts <sqlite file | postgres URL> [port]')
const DDL =
  'create table if not exists items (id text primary key, body text not null, created_at text not null)'
const INSERT = 'insert into items (id, body, created_at) values ($1, $2, $3)'

async function postgresInsert(
  url: string,
): Promise<(id: string, body: string, at: string) => Promise<unknown>> {
  const schema = process.env.HUMCLI_DB_SCHEMA
  const pool = new pg.Pool({
    connectionString: url,
    max: Number(process.env.HUMCLI_PG_POOL_SIZE ?? 10),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  })
  await pool.query(DDL)
  return (id, body, at) => pool.query({ name: 'ceiling_insert', text: INSERT, values: [id, body, at] })
}

function sqliteInsert(file: string): (id: string, body: string, at: string) => unknown {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(DDL)
  const insert = db.prepare(INSERT.replace(/\$\d/g, '?'))
  return (id, body, at) => insert.run(id, body, at)
}

const insert = /^postgres(ql)?:\/\//.test(target) ? await postgresInsert(target) : sqliteInsert(target)
const app = Fastify({ logger: false })
app.post('/items', async (req, reply) => {
  const id = randomBytes(12).toString('hex')
  await insert(id, JSON.stringify(req.body), new Date().toISOString())
  reply.code(201)
  return { id }
})
const address = await app.listen({ port, host: '127.0.0.1' })
process.stdout.write(`${address}\n`)
