import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { operatorRating } from './load.ts'

/** The ratings an operator received, newest first, with the agents' comments and the average. */
export async function listOperatorRatings(
  ctx: Ctx,
  operatorId: string,
  page: { limit: number; offset: number },
) {
  const db = ctx.store.db
  const total = await db
    .selectFrom('task_ratings')
    .select(sql<bigint>`count(*)`.as('n'))
    .where('operator_id', '=', operatorId)
    .executeTakeFirstOrThrow()
  const rows = await db
    .selectFrom('task_ratings as r')
    .innerJoin('tasks as t', 't.id', 'r.task_id')
    .select(['r.task_id', 't.title', 'r.score', 'r.comment', 'r.created_at'])
    .where('r.operator_id', '=', operatorId)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.task_id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute()
  return {
    average: await operatorRating(db, operatorId),
    data: rows.map((r) => ({ ...r, score: Number(r.score) })),
    pagination: { ...page, total: Number(total.n) },
  }
}
