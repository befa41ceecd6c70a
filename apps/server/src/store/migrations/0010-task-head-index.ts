import type { Kysely } from 'kysely'
import type { DialectName } from '../db.ts'

/**
 * SQLite: `GET /tasks/{id}` checks its cached view against the task's owner and version
 * (`get-task.ts`). With this covering index the check is answered from the index alone; without
 * it SQLite reads the task row, and a wide row on small pages (ADR 0011) continues on overflow
 * pages that hold `version`. PostgreSQL reads the row through its primary key as before.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'sqlite') return
  await db.schema.createIndex('tasks_head').on('tasks').columns(['id', 'agent_id', 'version']).execute()
}
