import type { Selectable } from 'kysely'
import { notFound } from '../domain/errors.ts'
import type { AgentsTable, Tx } from '../store/schema.ts'

export type AgentRow = Selectable<AgentsTable>

export async function loadAgent(tx: Tx, agentId: string): Promise<AgentRow> {
  const agent = await tx.selectFrom('agents').selectAll().where('id', '=', agentId).executeTakeFirst()
  if (!agent) throw notFound('Agent')
  return agent
}
