import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { createContext } from '../../src/compose.ts'
import { loadConfig } from '../../src/config.ts'
import { createStore } from '../../src/store/db.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import { withTx } from '../../src/store/tx.ts'
import { freshDatabase } from '../helpers/harness.ts'

async function sqliteStore() {
  const db = await freshDatabase('sqlite')
  const store = createStore({ databaseUrl: db.databaseUrl, databaseSchema: null })
  await migrateToLatest(store.db as never, 'sqlite')
  return {
    store,
    async close() {
      await store.close()
      await db.drop()
    },
  }
}

const insertAccount = (id: string) => (tx: Parameters<Parameters<typeof withTx>[1]>[0]) =>
  tx.insertInto('accounts').values({ id, balance_micros: 1n, created_at: 'now' }).execute()

test('SQLite group commit: concurrent transactions commit together; a failing one leaves no trace', async () => {
  const { store, close } = await sqliteStore()
  try {
    assert.ok(store.groupCommit, 'a SQLite store commits in groups')
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        withTx(store, async (tx) => {
          await insertAccount(`acct:${i}`)(tx)
          // Every fifth transaction fails after it has written: only its own write is undone.
          if (i % 5 === 0) throw new Error(`boom ${i}`)
          await insertAccount(`acct:${i}:second`)(tx)
          return i
        }),
      ),
    )
    const failed = results.filter((r) => r.status === 'rejected')
    assert.equal(failed.length, 8)
    assert.match(String((failed[0] as PromiseRejectedResult).reason), /boom 0/)
    const rows = await store.db.selectFrom('accounts').select('id').execute()
    const ids = new Set(rows.map((r) => r.id))
    assert.equal(ids.size, 64)
    for (let i = 0; i < 40; i++) {
      assert.equal(ids.has(`acct:${i}`), i % 5 !== 0, `acct:${i}`)
      assert.equal(ids.has(`acct:${i}:second`), i % 5 !== 0)
    }
    const values = results
      .filter((r) => r.status === 'fulfilled')
      .map((r) => (r as PromiseFulfilledResult<number>).value)
    assert.deepEqual(
      values,
      [...Array(40).keys()].filter((i) => i % 5 !== 0),
    )
  } finally {
    await close()
  }
})

test('SQLite group commit: a transaction sees the writes of the ones before it in the batch (serial order)', async () => {
  const { store, close } = await sqliteStore()
  try {
    await withTx(store, insertAccount('counter'))
    await Promise.all(
      Array.from({ length: 25 }, () =>
        withTx(store, async (tx) => {
          const row = await tx
            .selectFrom('accounts')
            .select('balance_micros')
            .where('id', '=', 'counter')
            .executeTakeFirstOrThrow()
          await tx
            .updateTable('accounts')
            .set({ balance_micros: row.balance_micros + 1n })
            .where('id', '=', 'counter')
            .execute()
        }),
      ),
    )
    const row = await store.db
      .selectFrom('accounts')
      .select('balance_micros')
      .where('id', '=', 'counter')
      .executeTakeFirstOrThrow()
    assert.equal(row.balance_micros, 26n, 'read-modify-write in 25 concurrent transactions loses no update')
  } finally {
    await close()
  }
})

test('SQLite group commit: a nested withTx is refused instead of waiting for itself forever', async () => {
  const { store, close } = await sqliteStore()
  try {
    await assert.rejects(
      withTx(store, async () => withTx(store, async () => 1)),
      /inside a transaction/,
    )
    // The store still works afterwards.
    assert.equal(
      await withTx(store, async (tx) => (await sql<{ v: bigint }>`select 1 as v`.execute(tx)).rows[0]?.v),
      1n,
    )
  } finally {
    await close()
  }
})

test('the nested-transaction check is on in development and off in production (it costs CPU per request)', async () => {
  const db = await freshDatabase('sqlite')
  const contexts = [
    createContext(loadConfig({}, { dataDir: db.dir, databaseUrl: db.databaseUrl, logLevel: 'silent' })),
    createContext(
      loadConfig(
        { HUMCLI_ENV: 'production', HUMCLI_MASTER_KEY: 'ab'.repeat(32) },
        { dataDir: db.dir, databaseUrl: db.databaseUrl, logLevel: 'silent' },
      ),
    ),
  ]
  try {
    assert.deepEqual(
      contexts.map((c) => [c.config.env, c.store.groupCommit?.refuseNested]),
      [
        ['development', true],
        ['production', false],
      ],
    )
  } finally {
    for (const c of contexts) await c.store.close()
    await db.drop()
  }
})
