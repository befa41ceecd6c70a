/** `HUMCLI_PG_POOL_SIZE` sizes a process's PostgreSQL pool (ADR 0024). */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { createContext } from '../../src/compose.ts'
import { loadConfig } from '../../src/config.ts'
import type { Ctx } from '../../src/context.ts'
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
