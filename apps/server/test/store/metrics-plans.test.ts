// `/metrics` counts open webhook deliveries through a partial index that holds only them, so a
// scrape costs the open work, not the delivery history (migration 0026).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompiledQuery } from 'kysely'
import { unfinishedDeliveries } from '../../src/metrics/read-store-gauges.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { planText } from '../helpers/plan-text.ts'

forEachDialect('metrics plans', (dialect) => {
  const server = useServer(dialect)
  test('the open-delivery count reads the partial index, which leaves delivered rows out', async () => {
    const s = server()
    const db = s.ctx.store.db
    const c = unfinishedDeliveries(db).compile()
    if (dialect === 'sqlite') {
      const def = await db.executeQuery<{ sql: string }>(
        CompiledQuery.raw(`select sql from sqlite_master where name = 'webhook_deliveries_unfinished'`),
      )
      assert.match(def.rows[0]!.sql, /where "status" in \('pending', 'failed'\)/i)
      const text = await planText(db, dialect, c)
      assert.match(text, /INDEX webhook_deliveries_unfinished/, text)
    } else {
      const def = await db.executeQuery<{ indexdef: string }>(
        CompiledQuery.raw(
          `select indexdef from pg_indexes where indexname = 'webhook_deliveries_unfinished' and schemaname = current_schema()`,
        ),
      )
      assert.match(
        def.rows[0]!.indexdef,
        /WHERE \(status = ANY \(ARRAY\['pending'::text, 'failed'::text\]\)\)/,
      )
      const text = await planText(db, dialect, c)
      assert.match(text, /webhook_deliveries_unfinished/, text)
    }
  })
})
