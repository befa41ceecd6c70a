/** The PostgreSQL pool (ADR 0024): its size is `HUMCLI_PG_POOL_SIZE`; hot statements are prepared once per connection. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { createContext } from '../../src/compose.ts'
import { loadConfig } from '../../src/config.ts'
import type { Ctx } from '../../src/context.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import { statement } from '../../src/store/statement.ts'
import { freshDatabase, PG_URL, responseCheckEnv, type TestDb } from '../helpers/harness.ts'

async function pgContext(db: TestDb, poolSize: string): Promise<Ctx> {
  const env = { ...responseCheckEnv(), DATABASE_URL: db.databaseUrl, HUMCLI_PG_POOL_SIZE: poolSize }
  return createContext(
    loadConfig(env, { dataDir: db.dir, databaseSchema: db.databaseSchema, logLevel: 'silent' }),
  )
}

describe('HUMCLI_PG_POOL_SIZE [postgres]', { skip: !PG_URL }, () => {
  let db: TestDb
  let ctx: Ctx
  before(async () => {
    db = await freshDatabase('postgres')
    ctx = await pgContext(db, '3')
  })
  after(async () => {
    await ctx.store.close()
    await db.drop()
  })

  test('eight queries at once share the three connections it allows', async () => {
    const pids = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const r = await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.2)`.execute(
          ctx.store.db,
        )
        return r.rows[0]!.pid
      }),
    )
    assert.equal(new Set(pids).size, 3)
  })
})

const accountIds = statement((db, p: { prefix: string }) =>
  db.selectFrom('accounts').select('id').where('id', 'like', p.prefix),
)

describe('statements are named prepared statements [postgres]', { skip: !PG_URL }, () => {
  let db: TestDb
  let ctx: Ctx
  before(async () => {
    db = await freshDatabase('postgres')
    ctx = await pgContext(db, '1')
    await migrateToLatest(ctx.store.db as never, 'postgres')
  })
  after(async () => {
    await ctx.store.close()
    await db.drop()
  })

  test('a statement is prepared on the connection once and reused; other queries are not', async () => {
    const prepared = async () =>
      (
        await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(ctx.store.db)
      ).rows.map((r) => r.statement)
    await accountIds.rows(ctx.store.db, { prefix: 'a%' })
    await accountIds.rows(ctx.store.db, { prefix: 'b%' })
    await ctx.store.db.selectFrom('accounts').select('id').execute()
    const texts = await prepared()
    assert.equal(texts.length, 1, texts.join('\n'))
    assert.match(texts[0]!, /^\/\* prepared \*\/ select "id" from "accounts" where "id" like \$1$/)
  })
})
