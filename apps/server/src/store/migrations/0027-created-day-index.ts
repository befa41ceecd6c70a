import { type Kysely, sql } from 'kysely'

/**
 * `tasks_created` (migration 0016, for the daily figures) ordered every task of the platform by
 * `created_at`, and with statistics PostgreSQL chose it for an agent's first page of
 * `GET /tasks` (and for the market's newest open tasks): it walks the newest tasks of everyone
 * and keeps the agent's, expecting them to come soon, so for an agent whose tasks are older than
 * the rest it read every newer task of the platform first (issue 17). The daily figures group by
 * the UTC day, so the index is on the day: it serves their ranges and orders nothing a list asks
 * for; the lists keep their own indexes (`tasks_agent_list`, `tasks_status_list`, …).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tasks_created').execute()
  await db.schema
    .createIndex('tasks_created_day')
    .on('tasks')
    .expression(sql`substr(created_at, 1, 10)`)
    .execute()
}
