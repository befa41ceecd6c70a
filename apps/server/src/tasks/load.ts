import type { Selectable } from 'kysely'
import { notFound } from '../domain/errors.ts'
import type { TasksTable, Tx } from '../store/schema.ts'

export type TaskRow = Selectable<TasksTable>

export async function findTask(tx: Tx, taskId: string): Promise<TaskRow | undefined> {
  return tx.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst()
}

/** Another agent's task is "not found", never "forbidden": ids must not leak across tenants. */
export async function loadAgentTask(tx: Tx, agentId: string, taskId: string): Promise<TaskRow> {
  const task = await findTask(tx, taskId)
  if (!task || task.agent_id !== agentId) throw notFound('Task')
  return task
}

/** The task as an operator may act on it: assigned to them. */
export async function loadOperatorTask(tx: Tx, operatorId: string, taskId: string): Promise<TaskRow> {
  const task = await findTask(tx, taskId)
  if (!task || task.operator_id !== operatorId) throw notFound('Task')
  return task
}

export async function loadAnyTask(tx: Tx, taskId: string): Promise<TaskRow> {
  const task = await findTask(tx, taskId)
  if (!task) throw notFound('Task')
  return task
}
