import { addMs } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { enqueueJob } from '../jobs/enqueue.ts'
import { accounts } from '../ledger/accounts.ts'
import type { Posting } from '../ledger/post.ts'
import type { Tx } from '../store/schema.ts'
import type { TaskRow } from './load.ts'

/** Ledger postings for each way an escrow can resolve. Sandbox tasks hold no escrow, so post nothing. */
export function holdEscrow(agentId: string, escrow: bigint): { kind: string; entries: Posting[] } {
  return {
    kind: 'escrow.hold',
    entries: [
      { account: accounts.agentAvailable(agentId), amount: -escrow },
      { account: accounts.agentEscrow(agentId), amount: escrow },
    ],
  }
}

export function refundEscrow(task: TaskRow): { kind: string; entries: Posting[] } {
  return {
    kind: 'escrow.refund',
    entries: [
      { account: accounts.agentEscrow(task.agent_id), amount: -task.escrow_micros },
      { account: accounts.agentAvailable(task.agent_id), amount: task.escrow_micros },
    ],
  }
}

/** Pays `operatorShare` of the reward to the operator (pending), the rest back to the agent, the fee to the platform. */
export function releaseEscrow(task: TaskRow, operatorShare: bigint): { kind: string; entries: Posting[] } {
  if (task.escrow_micros === 0n) return { kind: 'escrow.release', entries: [] }
  const agentShare = task.reward_micros - operatorShare
  return {
    kind: agentShare === 0n ? 'escrow.release' : 'escrow.split',
    entries: [
      { account: accounts.agentEscrow(task.agent_id), amount: -task.escrow_micros },
      { account: accounts.operatorPending(task.operator_id!), amount: operatorShare },
      { account: accounts.agentAvailable(task.agent_id), amount: agentShare },
      { account: accounts.platformRevenue, amount: task.fee_micros },
    ],
  }
}

/** After the holding period the operator's pending share becomes available. */
export async function scheduleEarningsRelease(ctx: Ctx, tx: Tx, task: TaskRow, amount: bigint, now: Date) {
  if (amount === 0n || !task.operator_id) return
  await enqueueJob(tx, {
    kind: 'earnings.release',
    payload: { taskId: task.id, operatorId: task.operator_id, amountMicros: amount.toString() },
    runAt: addMs(now, ctx.config.earningsHoldMs),
    now,
  })
}
