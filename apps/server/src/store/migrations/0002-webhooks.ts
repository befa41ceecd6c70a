import type { ColumnDefinitionBuilder, Kysely } from 'kysely'
import { sql } from 'kysely'

type Dialect = 'sqlite' | 'postgres'

const req = (c: ColumnDefinitionBuilder) => c.notNull()

/**
 * Webhooks (issue 5): account endpoints, one delivery row per (event, target), and a marker on
 * outbox rows that have been fanned out into deliveries.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('dispatched_at', 'text').execute()
  await db.schema
    .createIndex('outbox_undispatched')
    .on('outbox')
    .column('seq')
    .where(sql.ref('dispatched_at'), 'is', null)
    .execute()

  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('url', 'text', req)
    .addColumn('events', 'text', req)
    .addColumn('description', 'text')
    .addColumn('secret', 'text', req)
    .addColumn('previous_secret', 'text')
    .addColumn('previous_secret_expires_at', 'text')
    .addColumn('failing_since', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('deleted_at', 'text')
    .addColumn('created_at', 'text', req)
    .execute()
  await db.schema.createIndex('webhook_endpoints_agent').on('webhook_endpoints').column('agent_id').execute()

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event_id', 'text', req)
    .addColumn('event_type', 'text', req)
    .addColumn('event_seq', 'bigint', req)
    .addColumn('agent_id', 'text', req)
    .addColumn('task_id', 'text')
    // 'callback' (the task's callback_url) or a webhook endpoint id.
    .addColumn('target', 'text', req)
    .addColumn('payload', 'text', req)
    .addColumn('event_at', 'text', req)
    .addColumn('status', 'text', req)
    .addColumn('attempts', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', req)
    .addColumn('retry_until', 'text', req)
    .addColumn('locked_until', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_url', 'text')
    .addColumn('response_status', 'bigint')
    .addColumn('response_body', 'text')
    .addColumn('last_error', 'text')
    .addColumn('duration_ms', 'bigint')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', req)
    .addUniqueConstraint('webhook_deliveries_event_target', ['event_id', 'target'])
    .execute()
  await db.schema
    .createIndex('webhook_deliveries_order')
    .on('webhook_deliveries')
    .columns(['target', 'task_id', 'status', 'event_seq'])
    .execute()
  await db.schema
    .createIndex('webhook_deliveries_target_created')
    .on('webhook_deliveries')
    .columns(['target', 'created_at'])
    .execute()
}
