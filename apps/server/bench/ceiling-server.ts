// The ceiling for create-task: a bare Fastify endpoint doing one SQLite insert per request,
// with the same SQLite settings as humcli (WAL, synchronous=NORMAL), nothing else. It keeps
// SQLite's default 4 KiB pages: with humcli's 1 KiB pages (ADR 0011) it ran slower (about 6,700
// against 8,000 req/s: one random-key insert per commit), and the higher ceiling is the harder bar.
import { randomBytes } from 'node:crypto'
import Database from 'better-sqlite3'
import Fastify from 'fastify'

const file = process.argv[2]
const port = Number(process.argv[3] ?? 0)
if (!file) throw new Error('usage: ceiling-server.ts <sqlite file> [port]')
const db = new Database(file)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.exec(
  'create table if not exists items (id text primary key, body text not null, created_at text not null)',
)
const insert = db.prepare('insert into items (id, body, created_at) values (?, ?, ?)')

const app = Fastify({ logger: false })
app.post('/items', async (req, reply) => {
  const id = randomBytes(12).toString('hex')
  insert.run(id, JSON.stringify(req.body), new Date().toISOString())
  reply.code(201)
  return { id }
})
const address = await app.listen({ port, host: '127.0.0.1' })
process.stdout.write(`${address}\n`)
