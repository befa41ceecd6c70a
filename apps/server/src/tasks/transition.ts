import { sql, type Updateable } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { canTransition, DEADLINE_CANCELLABLE, ON_ENTER, type TaskStatus } from '../domain/lifecycle.ts'
import { enqueueJob, type JobInput, type JobKind } from '../jobs/enqueue.ts'
import { type Posting, post } from '../ledger/post.ts'
import { type EventInput, recordEvent } from '../outbox/record-event.ts'
import { sandboxStepJob } from '../sandbox/schedule.ts'
import { HeldInserts } from '../store/held-inserts.ts'
import type { TasksTable, Tx } from '../store/schema.ts'
import type { TaskRow } from './load.ts'
import { countTaskChange } from './task-counts.ts'

export interface TransitionInput {
  task: TaskRow
  to: TaskStatus
  /** Who caused it: `agent:<id>`, `operator:<id>`, `admin:<id>` or `system`. */
  actor: string
  reason?: string | null
  patch?: Updateable<TasksTable>
  ledger?: { kind: string; entries: Posting[] }
  /** Further events of this change, recorded in order right after its `task.status_changed`. */
  events?: EventInput[]
  now: Date
}

/**
 * The one way a task changes status: a compare-and-set on (status, version), a row in the
 * transition log, the timers, the outbox event, the status counters and the ledger postings, all
 * in the caller's transaction.
 * Zero rows updated means another request won the race: 409 and the caller's transaction rolls back.
 */
export async function transitionTask(ctx: Ctx, tx: Tx, input: TransitionInput): Promise<TaskRow> {
  const { task, to, now } = input
  const from = task.status as TaskStatus
  if (!canTransition(from, to)) {
    throw new DomainError('INVALID_STATE', `Task cannot move from ${from} to ${to}.`)
  }
  const at = iso(now)
  const updated = await tx
    .updateTable('tasks')
    .set({ ...input.patch, status: to, version: sql`version + 1`, updated_at: at })
    .where('id', '=', task.id)
    .where('status', '=', from)
    .where('version', '=', task.version)
    .returningAll()
    .executeTakeFirst()
  if (!updated) {
    throw new DomainError(
      'INVALID_STATE',
      `Task ${task.id} changed while this request ran; reload it and try again.`,
    )
  }
  // The log row, the timers and the events are inserts nothing here reads back: on PostgreSQL
  // they go as one statement (`HeldInserts`), right before the counters.
  const held = HeldInserts.of(tx)
  const logRow = {
    task_id: task.id,
    from_status: from,
    to_status: to,
    actor: input.actor,
    reason: input.reason ?? null,
    at,
  }
  if (held) held.add('task_transitions', logRow)
  else await tx.insertInto('task_transitions').values(logRow).execute()
  // The deadline timer acts only on statuses where the deadline applies. A task that comes back
  // into one of them after its deadline passed (proof sent back for resubmission) gets the timer
  // again at once; otherwise nothing would ever cancel it and its escrow would stay locked.
  if (
    DEADLINE_CANCELLABLE.includes(to) &&
    !DEADLINE_CANCELLABLE.includes(from) &&
    new Date(task.deadline).getTime() <= now.getTime()
  ) {
    await enqueueJob(tx, { kind: 'task.deadline', payload: { taskId: task.id }, runAt: now, now }, held)
  }
  await queueEntryTimers(ctx, tx, updated, now, held)
  await recordEvent(
    tx,
    {
      type: 'task.status_changed',
      agentId: task.agent_id,
      operatorId: updated.operator_id ?? task.operator_id,
      taskId: task.id,
      data: {
        event: 'task.status_changed',
        task_id: task.id,
        status: to,
        previous_status: from,
        timestamp: at,
      },
      at: now,
    },
    held,
  )
  for (const e of input.events ?? []) await recordEvent(tx, e, held)
  // The counters: on PostgreSQL deltas in the same statement, locking nothing; on SQLite (one
  // writer) the rows themselves, before the postings, so counter rows are locked before balance
  // rows everywhere (`countTaskChange`).
  await countTaskChange(tx, task, from, to, held)
  await held?.flush()
  if (input.ledger) await post(tx, { ...input.ledger, taskId: task.id, at: now })
  return updated
}

/**
 * The timers `ON_ENTER` (domain/lifecycle.ts) says the task's new status needs; each carries the
 * version it was set for and does nothing once the task has moved on.
 */
export function entryTimerJobs(ctx: Ctx, task: TaskRow, now: Date): JobInput<JobKind>[] {
  const payload = { taskId: task.id, version: task.version.toString() }
  const jobs: JobInput<JobKind>[] = []
  for (const timer of ON_ENTER[task.status as TaskStatus] ?? []) {
    if (timer === 'sandbox.step') {
      const step = sandboxStepJob(ctx, task, now)
      if (step) jobs.push(step)
    } else if (timer === 'guardian.review') jobs.push({ kind: timer, payload, runAt: now, now })
    else if (timer === 'review.auto_approve') {
      jobs.push({ kind: timer, payload, runAt: addMs(now, ctx.config.manualReviewAutoApproveMs), now })
    } else {
      // When the estimate itself says it expires (accept-task writes it with the estimate).
      const expires = (JSON.parse(task.estimate ?? '{}') as { expires_at?: string }).expires_at
      const runAt = expires ? new Date(expires) : addMs(now, ctx.config.estimateTtlMs)
      jobs.push({ kind: timer, payload, runAt, now })
    }
  }
  return jobs
}

/** Queues `entryTimerJobs` in the caller's transaction. `createTask` plans the same for the PENDING a task is born in. */
export async function queueEntryTimers(
  ctx: Ctx,
  tx: Tx,
  task: TaskRow,
  now: Date,
  held: HeldInserts | null = null,
): Promise<void> {
  for (const job of entryTimerJobs(ctx, task, now)) await enqueueJob(tx, job, held)
}
