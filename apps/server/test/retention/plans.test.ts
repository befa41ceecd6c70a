// Each batch statement of `retention.prune`, read through the planner: the inner select must be a
// range read of the index that holds the prunable rows, never a scan of the table. On SQLite this
// is the plan it runs (no statistics); on PostgreSQL the tables here are tiny, so sequential scans
// are switched off: it shows an index serves every statement, not that the planner picks it at scale.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pruneTargets } from '../../src/retention/targets.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { planText } from '../helpers/plan-text.ts'

const INDEX: Record<string, string> = {
  'jobs.done': 'jobs_due',
  'jobs.failed': 'jobs_due',
  webhook_deliveries: 'webhook_deliveries_delivered',
  outbox: 'outbox_dispatched',
  idempotency_keys: 'idempotency_keys_expires',
}

forEachDialect('retention plans', (dialect) => {
  const server = useServer(dialect)
  test('every batch is an index range read of its own index', async () => {
    const s = server()
    const db = s.ctx.store.db
    const targets = pruneTargets(s.ctx.config.retention, s.clock.now())
    assert.deepEqual(targets.map((t) => t.name).sort(), Object.keys(INDEX).sort())
    for (const t of targets) {
      const c = t.query(db, 1000).compile()
      const text = await planText(db, dialect, c)
      if (dialect === 'sqlite') {
        assert.doesNotMatch(text, /(^|\| )SCAN /, `${t.name}: a full scan (${text})`)
        assert.match(
          text,
          new RegExp(`INDEX ${INDEX[t.name]} \\(`),
          `${t.name}: not a range of ${INDEX[t.name]} (${text})`,
        )
      } else {
        assert.doesNotMatch(text, /Seq Scan/, `${t.name}: ${text}`)
        assert.match(text, new RegExp(INDEX[t.name]!), `${t.name}: ${text}`)
      }
    }
  })
})
