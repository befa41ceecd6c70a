import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { schedulePurge } from '../credentials/purge-credentials.ts'
import type { Tx } from '../store/schema.ts'
import type { TaskRow } from './load.ts'
import { releaseEscrow, scheduleEarningsRelease } from './settle.ts'
import { transitionTask } from './transition.ts'

/**
 * Completes a task and resolves its escrow: `operatorShare` of the reward to the operator (pending),
 * the rest to the agent, the fee to the platform. A full approval passes the whole reward.
 */
export async function completeTask(
  ctx: Ctx,
  tx: Tx,
  task: TaskRow,
  opts: {
    actor: string
    reason: string
    operatorShare?: bigint
    resolution?: string | null
    /** The agent's own words with an APPROVE, kept on the task (spec §5). */
    verifyReason?: string | null
    now: Date
  },
): Promise<TaskRow> {
  const share = opts.operatorShare ?? task.reward_micros
  const done = await transitionTask(ctx, tx, {
    task,
    to: 'COMPLETED',
    actor: opts.actor,
    reason: opts.reason,
    patch: {
      completed_at: iso(opts.now),
      ...(opts.resolution ? { resolution: opts.resolution } : {}),
      ...(opts.verifyReason ? { verify_reason: opts.verifyReason } : {}),
    },
    // A sandbox task holds no escrow: nothing to post (an empty ledger transaction cannot be written).
    ledger: task.escrow_micros > 0n ? releaseEscrow(task, share) : undefined,
    now: opts.now,
  })
  if (task.escrow_micros > 0n) await scheduleEarningsRelease(ctx, tx, task, share, opts.now)
  await schedulePurge(ctx, tx, task, opts.now)
  return done
}
