import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { sql } from 'kysely'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { createStore } from '../../src/store/db.ts'
import { migrateToLatest } from '../../src/store/migrate.ts'
import { freshDatabase } from '../helpers/harness.ts'

const pageSizeOf = async (store: ReturnType<typeof createStore>) =>
  Number((await sql<{ page_size: bigint }>`pragma page_size`.execute(store.db)).rows[0]!.page_size)

test('a new SQLite file gets the configured page size (1024 by default); an existing one keeps its own', async () => {
  const db = await freshDatabase('sqlite')
  try {
    const config = { databaseUrl: db.databaseUrl, databaseSchema: null }
    assert.equal(loadConfig({}).sqlitePageSize, 1024)
    const first = createStore(config, { pageSize: 4096 })
    await migrateToLatest(first.db as never, 'sqlite')
    assert.equal(await pageSizeOf(first), 4096)
    assert.equal(
      (await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db)).rows[0]!.journal_mode,
      'wal',
    )
    await first.close()
    // Reopened with another setting: the file is not empty, so its pages stay as they are.
    const again = createStore(config, { pageSize: 1024 })
    assert.equal(await pageSizeOf(again), 4096)
    await again.close()
  } finally {
    await db.drop()
  }
  const other = await freshDatabase('sqlite')
  try {
    const store = createStore({ databaseUrl: other.databaseUrl, databaseSchema: null }, { pageSize: 1024 })
    await migrateToLatest(store.db as never, 'sqlite')
    assert.equal(await pageSizeOf(store), 1024)
    await store.close()
  } finally {
    await other.drop()
  }
})

test('HUMCLI_SQLITE_PAGE_SIZE must be a power of two from 512 to 65536', () => {
  assert.equal(loadConfig({ HUMCLI_SQLITE_PAGE_SIZE: '4096' }).sqlitePageSize, 4096)
  for (const bad of ['1000', '256', '131072', 'big']) {
    assert.throws(() => loadConfig({ HUMCLI_SQLITE_PAGE_SIZE: bad }), ConfigError, bad)
  }
  assert.throws(() => loadConfig({ HUMCLI_SQLITE_PAGE_SIZE: '1000' }), /power of two from 512 to 65536/)
})

test('the background worker checkpoints the WAL into the database file on its interval', async () => {
  const db = await freshDatabase('sqlite')
  const file = db.databaseUrl.replace(/^sqlite:(\/\/)?/, '')
  const store = createStore(
    { databaseUrl: db.databaseUrl, databaseSchema: null },
    { backgroundCheckpoints: true, checkpointIntervalMs: 20, pageSize: 1024 },
  )
  try {
    await migrateToLatest(store.db as never, 'sqlite')
    // Wait out the checkpoint of the migrations, then write well under the writer's own
    // auto-checkpoint mark (20,000 pages): only the worker can move these pages into the file.
    const settled = Date.now() + 5000
    let size = fs.statSync(file).size
    while (Date.now() < settled) {
      await new Promise((r) => setTimeout(r, 100))
      const now = fs.statSync(file).size
      if (now === size) break
      size = now
    }
    const rows = Array.from({ length: 2000 }, (_, i) => ({
      id: `acct-${i}`,
      balance_micros: 1n,
      created_at: 'now',
    }))
    for (let i = 0; i < rows.length; i += 500) {
      await store.db
        .insertInto('accounts')
        .values(rows.slice(i, i + 500))
        .execute()
    }
    const before = fs.statSync(file).size
    const deadline = Date.now() + 5000
    while (fs.statSync(file).size <= before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    assert.ok(fs.statSync(file).size > before, 'the database file grew: the worker checkpointed the WAL')
  } finally {
    await store.close()
    await db.drop()
  }
})

test('HUMCLI_SQLITE_CHECKPOINT_MS: 50 by default, at least 10', () => {
  assert.equal(loadConfig({}).sqliteCheckpointMs, 50)
  assert.equal(loadConfig({ HUMCLI_SQLITE_CHECKPOINT_MS: '200' }).sqliteCheckpointMs, 200)
  assert.throws(
    () => loadConfig({ HUMCLI_SQLITE_CHECKPOINT_MS: '5' }),
    /HUMCLI_SQLITE_CHECKPOINT_MS must be a whole number ≥ 10/,
  )
})
