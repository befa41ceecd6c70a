import { CompiledQuery, type Kysely } from 'kysely'

/**
 * The planner's plan of a compiled query as one line (`step | step`). On SQLite it is the plan it
 * runs (no statistics); on PostgreSQL the test tables are tiny, so sequential scans are switched
 * off for it: it shows that an index can serve the query, not that the planner picks it at scale.
 */
export async function planText(
  db: Kysely<any>,
  dialect: 'sqlite' | 'postgres',
  c: { sql: string; parameters: readonly unknown[] },
): Promise<string> {
  if (dialect === 'sqlite') {
    const r = await db.executeQuery(CompiledQuery.raw(`explain query plan ${c.sql}`, [...c.parameters]))
    return (r.rows as { detail: string }[]).map((x) => x.detail).join(' | ')
  }
  return db.connection().execute(async (conn) => {
    await conn.executeQuery(CompiledQuery.raw('set enable_seqscan = off'))
    const r = await conn.executeQuery(CompiledQuery.raw(`explain ${c.sql}`, [...c.parameters]))
    await conn.executeQuery(CompiledQuery.raw('reset enable_seqscan'))
    return (r.rows as Record<string, string>[]).map((x) => x['QUERY PLAN']).join(' | ')
  })
}
