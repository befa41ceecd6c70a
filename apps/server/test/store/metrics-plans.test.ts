// `/metrics` counts open webhook deliveries through a partial index that holds only them, so a
// scrape costs the open work, not the delivery history (migration 0026).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CompiledQuery } from 'kysely'
import { unfinishedDeliveries } from '../../src/metrics/read-store-gauges.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

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
      const r = await db.executeQuery(CompiledQuery.raw(`explain query plan ${c.sql}`, [...c.parameters]))
      const text = (r.rows as { detail: string }[]).map((x) => x.detail).join(' | ')
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
      const text = await db.connection().execute(async (conn) => {
        await conn.executeQuery(CompiledQuery.raw('set enable_seqscan = off'))
        const r = await conn.executeQuery(CompiledQuery.raw(`explain ${c.sql}`, [...c.parameters]))
        await conn.executeQuery(CompiledQuery.raw('reset enable_seqscan'))
        return (r.rows as Record<string, string>[]).map((x) => x['QUERY PLAN']).join(' | ')
      })
      assert.match(text, /webhook_deliveries_unfinished/, text)
    }
  })
})
