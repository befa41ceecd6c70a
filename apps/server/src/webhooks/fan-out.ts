import { type Insertable, SqliteAdapter, sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { newId } from '../domain/ids.ts'
import { jobDueExpression, jobDueNotifyPending, wakeLocalLane } from '../jobs/wake.ts'
import { fanOutPayload } from '../outbox/record-event.ts'
import type { OutboxTable, Tx, WebhookDeliveriesTable, WebhookEndpointsTable } from '../store/schema.ts'
import { lockSection, withTx } from '../store/tx.ts'
import { RETRY_WINDOW_MS } from './schedule.ts'

type OutboxRow = Omit<OutboxTable, 'seq'> & { seq: bigint }

const BATCH = 200
/** Delivery rows per multi-row insert (14 values each). */
const DELIVERIES_PER_INSERT = 500

/** Whether an endpoint subscribed to this event type. */
export function subscribes(endpoint: Pick<WebhookEndpointsTable, 'events'>, type: string): boolean {
  const events = JSON.parse(endpoint.events) as string[]
  return events.includes('*') || events.includes(type)
}

/** The body an account endpoint receives: the event in an envelope (the compat callback body is bare). */
export function endpointBody(e: Pick<OutboxRow, 'id' | 'type' | 'created_at' | 'payload'>): string {
  return JSON.stringify({ id: e.id, type: e.type, created_at: e.created_at, data: JSON.parse(e.payload) })
}

interface Target {
  target: string
  payload: string
}

async function targetsOf(tx: Tx, events: OutboxRow[]): Promise<Map<string, Target[]>> {
  const taskIds = [...new Set(events.filter((e) => e.type === 'task.status_changed').map((e) => e.task_id!))]
  const agentIds = [...new Set(events.map((e) => e.agent_id).filter((a): a is string => !!a))]
  const callbacks = new Set(
    taskIds.length === 0
      ? []
      : (
          await tx
            .selectFrom('tasks')
            .select('id')
            .where('id', 'in', taskIds)
            .where('callback_url', 'is not', null)
            .execute()
        ).map((t) => t.id),
  )
  const endpoints =
    agentIds.length === 0
      ? []
      : await tx
          .selectFrom('webhook_endpoints')
          .select(['id', 'agent_id', 'events', 'created_at'])
          .where('agent_id', 'in', agentIds)
          .where('deleted_at', 'is', null)
          .where('disabled_at', 'is', null)
          .execute()
  const out = new Map<string, Target[]>()
  for (const e of events) {
    const list: Target[] = []
    if (e.type === 'task.status_changed' && callbacks.has(e.task_id!)) {
      list.push({ target: 'callback', payload: e.payload })
    }
    for (const ep of endpoints) {
      // An endpoint receives events from its creation on, not what happened before it existed.
      if (ep.agent_id === e.agent_id && ep.created_at <= e.created_at && subscribes(ep, e.type)) {
        list.push({ target: ep.id, payload: endpointBody(e) })
      }
    }
    out.set(e.id, list)
  }
  return out
}

const pairKey = (taskId: string, target: string) => `${taskId} ${target}`

/**
 * The (task, target) pairs of `rows` that already have a pending delivery. Its attempt ends in
 * `recordAttempt` or `finishUndeliverable`, whose statement fires the trigger
 * `webhook_deliveries_release_next` (migration 0029), which makes the next event of the pair ready.
 * The trigger takes the fan-out's lock shared before it looks for that next event, so this exclusive
 * fan-out either finishes first (they then see its rows) or starts after they committed (this
 * read then sees them finished): a delivery is never left without an attempt.
 */
async function pendingPairs(tx: Tx, rows: Insertable<WebhookDeliveriesTable>[]): Promise<Set<string>> {
  const tasks = [...new Set(rows.map((r) => r.task_id).filter((t): t is string => !!t))]
  if (tasks.length === 0) return new Set()
  const targets = [...new Set(rows.map((r) => r.target))]
  const pending = await tx
    .selectFrom('webhook_deliveries')
    .select(['task_id', 'target'])
    .distinct()
    .where('target', 'in', targets)
    .where('task_id', 'in', tasks)
    .where('status', '=', 'pending')
    .execute()
  return new Set(pending.map((p) => pairKey(p.task_id!, p.target)))
}

/**
 * Turns new outbox events into delivery rows, one per (event, target), each that is first in line
 * for its task and target (`pendingPairs`) ready for an attempt, and wakes the deliveries lane,
 * which claims them (ADR 0027). Idempotent:
 * the unique (event_id, target) makes a second run — or a racing worker on PostgreSQL — insert
 * nothing. Events are read in `seq` order; per task that is the
 * commit order, because a task's transitions serialise on its row.
 */
export async function fanOutEvents(ctx: Ctx): Promise<number> {
  let total = 0
  for (;;) {
    const n = await withTx(ctx.store, async (tx) => {
      // One fan-out at a time (SQLite has one writer anyway). Two on PostgreSQL would read the
      // same events and insert every delivery twice, the second waiting on the first's unique
      // keys; nor may they split the events, or a task's later event could be delivered before
      // an earlier one still uncommitted in the other. The one that waited finds what is left.
      await lockSection(tx, ctx.store.dialect, 'fan-out')
      const events = (await tx
        .selectFrom('outbox')
        .selectAll()
        .where('dispatched_at', 'is', null)
        .orderBy('seq')
        .limit(BATCH)
        .execute()) as OutboxRow[]
      if (events.length === 0) return 0
      const now = ctx.clock.now()
      const targets = await targetsOf(tx, events)
      const rows: Insertable<WebhookDeliveriesTable>[] = []
      for (const e of events) {
        for (const t of targets.get(e.id) ?? []) {
          rows.push({
            id: newId('whd'),
            event_id: e.id,
            event_type: e.type,
            event_seq: e.seq,
            agent_id: e.agent_id ?? '',
            task_id: e.task_id,
            target: t.target,
            payload: t.payload,
            event_at: e.created_at,
            status: 'pending',
            attempts: 0n,
            next_attempt_at: iso(now),
            retry_until: iso(addMs(new Date(e.created_at), RETRY_WINDOW_MS)),
            ready: 0n,
            created_at: iso(now),
          })
        }
      }
      // A delivery behind an earlier pending event of its task for its target is not ready: it
      // could not go, and the earlier one's end makes it ready (`webhook_deliveries_release_next`). Nor is the second
      // of a pair within the batch. (No row here is a duplicate: the events are undispatched, and
      // their fan-out commits with their `dispatched_at`.)
      const waiting = await pendingPairs(tx, rows)
      let ready = 0
      for (const r of rows) {
        const pair = r.task_id ? pairKey(r.task_id, r.target) : null
        if (pair !== null && waiting.has(pair)) continue
        if (pair !== null) waiting.add(pair)
        r.ready = 1n
        ready++
      }
      // The deliveries in multi-row inserts, the last one waking the deliveries lane (PostgreSQL:
      // NOTIFY at COMMIT): a round trip or two for the batch, while every other fan-out waits.
      const wake = ready > 0 && jobDueNotifyPending(tx, 'deliveries')
      for (let i = 0; i < rows.length; i += DELIVERIES_PER_INSERT) {
        const last = i + DELIVERIES_PER_INSERT >= rows.length
        await tx
          .insertInto('webhook_deliveries')
          .values(rows.slice(i, i + DELIVERIES_PER_INSERT))
          .onConflict((oc) => oc.columns(['event_id', 'target']).doNothing())
          .$if(wake && last, (q) => q.returning(jobDueExpression('deliveries').as('woken')))
          .execute()
      }
      if (ready > 0 && ctx.store.dialect === 'sqlite') wakeLocalLane('deliveries')
      await tx
        .updateTable('outbox')
        .set({ dispatched_at: iso(now) })
        .where(
          'seq',
          'in',
          events.map((e) => e.seq),
        )
        .execute()
      // Each of these events queued its own fan-out job; this run has handled them, so those jobs
      // would find nothing to do. Retiring them halves the job traffic under load. Only jobs of
      // events handled here are touched, so an event committed meanwhile keeps its job.
      await tx
        .updateTable('jobs')
        .set({ status: 'done', finished_at: iso(now) })
        .where('kind', '=', 'webhooks.fan_out')
        .where('status', '=', 'queued')
        .where(
          'payload',
          'in',
          events.map((e) => JSON.stringify(fanOutPayload(e.id))),
        )
        .execute()
      return events.length
    })
    total += n
    if (n < BATCH) return total
  }
}

/**
 * Wakes the deliveries lane for a delivery made ready outside a fan-out (a ping, a redelivery):
 * PostgreSQL's workers by NOTIFY at COMMIT, SQLite's in this process.
 */
export async function wakeDeliveries(tx: Tx): Promise<void> {
  if (jobDueNotifyPending(tx, 'deliveries')) {
    await sql`select ${jobDueExpression('deliveries')}`.execute(tx)
  } else if (tx.getExecutor().adapter instanceof SqliteAdapter) wakeLocalLane('deliveries')
}
