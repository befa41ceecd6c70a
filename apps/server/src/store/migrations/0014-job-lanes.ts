import type { Kysely } from 'kysely'

/**
 * Job lanes (ADR 0013): each lane claims only its own kinds, so the due jobs are found per kind
 * (`jobs_due_by_kind`); `group_key` (the agent of a webhook attempt) lets the runner cap how many
 * attempts of one agent run at once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('group_key', 'text').execute()
  await db.schema.createIndex('jobs_due_by_kind').on('jobs').columns(['status', 'kind', 'run_at']).execute()
}
