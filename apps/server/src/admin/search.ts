import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { taskSummary } from '../tasks/serialize.ts'

const LIMIT = 20

/** Escapes LIKE's wildcards so a search for `50%` means the text. */
const likeText = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

/**
 * `GET /admin/search?q=`: agents and operators by id, email or name, tasks by id. An id or an
 * email is an exact match (unique indexes); a name is a case-insensitive substring, which scans
 * the accounts (there are far fewer accounts than tasks).
 */
export async function searchAll(ctx: Ctx, q: string) {
  const db = ctx.store.db
  const text = q.trim()
  const lower = text.toLowerCase()
  const like = `%${likeText(lower)}%`
  const agents = await db
    .selectFrom('agents')
    .select(['id', 'name', 'email', 'tier', 'restricted_at'])
    .where((eb) =>
      eb.or([
        eb('id', '=', text),
        eb('email', '=', lower),
        sql<boolean>`lower(name) like ${like} escape '\\'`,
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(LIMIT)
    .execute()
  const operators = await db
    .selectFrom('operators')
    .select(['id', 'name', 'email', 'kyc_status'])
    .where('id', '!=', 'op_sandbox')
    .where((eb) =>
      eb.or([
        eb('id', '=', text),
        eb('email', '=', lower),
        sql<boolean>`lower(name) like ${like} escape '\\'`,
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(LIMIT)
    .execute()
  const tasks = await db.selectFrom('tasks').selectAll().where('id', '=', text).execute()
  return {
    agents: agents.map((a) => ({
      agent_id: a.id,
      name: a.name,
      email: a.email,
      tier: a.tier,
      restricted: a.restricted_at !== null,
    })),
    operators: operators.map((o) => ({
      operator_id: o.id,
      name: o.name,
      email: o.email,
      kyc_status: o.kyc_status,
    })),
    tasks: tasks.map((t) => ({ ...taskSummary(t), agent_id: t.agent_id })),
  }
}
