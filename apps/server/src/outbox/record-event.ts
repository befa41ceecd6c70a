import type { EventType } from '@humcli/contract/enums'
import { iso } from '../clock.ts'
import { newId } from '../domain/ids.ts'
import { enqueueJob } from '../jobs/enqueue.ts'
import type { HeldInserts } from '../store/held-inserts.ts'
import type { OutboxTable, Tx } from '../store/schema.ts'
import { statement } from '../store/statement.ts'

export type { EventType } from '@humcli/contract/enums'

export interface EventInput {
  type: EventType
  agentId?: string | null
  operatorId?: string | null
  taskId?: string | null
  data: Record<string, unknown>
  at: Date
}

/** The fan-out job of one event; a fan-out that handles the event retires its job (`fanOutEvents`). */
export const fanOutPayload = (eventId: string) => ({ eventId })

const insertEvent = statement((db, p: Omit<OutboxTable, 'seq' | 'dispatched_at'>) =>
  db.insertInto('outbox').values({
    id: p.id,
    type: p.type,
    agent_id: p.agent_id,
    operator_id: p.operator_id,
    task_id: p.task_id,
    payload: p.payload,
    created_at: p.created_at,
  }),
)

/**
 * Writes an event to the outbox inside the business transaction, with a job that fans it out to
 * webhook deliveries (`fanOutEvents` reads the outbox in `seq` order); an event exists exactly when
 * the change that caused it committed. With `held` (PostgreSQL) both rows wait for the holder's
 * one statement.
 */
export async function recordEvent(tx: Tx, e: EventInput, held: HeldInserts | null = null): Promise<string> {
  const id = newId('evt')
  const row = {
    id,
    type: e.type,
    agent_id: e.agentId ?? null,
    operator_id: e.operatorId ?? null,
    task_id: e.taskId ?? null,
    payload: JSON.stringify(e.data),
    created_at: iso(e.at),
  }
  if (held) held.add('outbox', row)
  else await insertEvent.run(tx, row)
  // Wakes the webhook fan-out (`fanOutEvents`), which reads every undispatched event in order.
  await enqueueJob(tx, { kind: 'webhooks.fan_out', payload: fanOutPayload(id), runAt: e.at, now: e.at }, held)
  return id
}
