import type { Selectable } from 'kysely'
import { sql } from 'kysely'
import { notFound } from '../domain/errors.ts'
import type { OperatorsTable, Tx } from '../store/schema.ts'

export type OperatorRow = Selectable<OperatorsTable>

export async function loadOperator(tx: Tx, operatorId: string): Promise<OperatorRow> {
  const op = await tx.selectFrom('operators').selectAll().where('id', '=', operatorId).executeTakeFirst()
  if (!op) throw notFound('Operator')
  return op
}

/** Mean of the operator's scores, 5.0 when there are none. */
export async function operatorRating(tx: Tx, operatorId: string): Promise<number> {
  const r = await tx
    .selectFrom('task_ratings')
    .select([sql<bigint>`cast(coalesce(sum(score), 0) as bigint)`.as('total'), sql<bigint>`count(*)`.as('n')])
    .where('operator_id', '=', operatorId)
    .executeTakeFirstOrThrow()
  const n = Number(r.n)
  return n === 0 ? 5 : Math.round((Number(r.total) / n) * 100) / 100
}
