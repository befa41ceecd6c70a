import type { TaskStatus } from '@humcli/contract/enums'
import { DomainError } from './errors.ts'

export { TASK_STATUSES, type TaskStatus } from '@humcli/contract/enums'

/**
 * The transition table of spec §7, as data. Every status change goes through `assertTransition`,
 * and the API reference is generated from this table. MANUAL_REVIEW → CANCELLED is ours: an admin
 * who rejects a manual review refunds the agent.
 */
export const TRANSITIONS = {
  PENDING: ['ESTIMATE_PENDING', 'CANCELLED'],
  ESTIMATE_PENDING: ['ACCEPTED', 'PENDING', 'CANCELLED'],
  ACCEPTED: ['IN_PROGRESS', 'PENDING', 'CANCELLED'],
  IN_PROGRESS: ['SUBMITTED', 'PENDING', 'CANCELLED'],
  SUBMITTED: ['VERIFIED', 'MANUAL_REVIEW', 'IN_PROGRESS', 'COMPLETED', 'DISPUTED'],
  VERIFIED: ['COMPLETED'],
  MANUAL_REVIEW: ['COMPLETED', 'DISPUTED', 'CANCELLED'],
  DISPUTED: ['COMPLETED', 'CANCELLED'],
  COMPLETED: [],
  CANCELLED: [],
} as const satisfies Record<TaskStatus, readonly TaskStatus[]>

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['COMPLETED', 'CANCELLED']

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return (TRANSITIONS[from] as readonly TaskStatus[]).includes(to)
}

/** Where an agent may cancel (with a full refund); later, only a dispute or the deadline ends it. */
export const AGENT_CANCELLABLE: readonly TaskStatus[] = ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED']

/**
 * Every action on a task, as data: the statuses it may start from (checked by `assertAction`
 * before the compare-and-set in `transitionTask`) and the word the refusal uses.
 */
export const ACTIONS = {
  approveEstimate: { from: ['ESTIMATE_PENDING'], word: 'approved' },
  rejectEstimate: { from: ['ESTIMATE_PENDING'], word: 'rejected' },
  start: { from: ['ACCEPTED'], word: 'started' },
  release: { from: ['ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS'], word: 'released' },
  submitProof: { from: ['IN_PROGRESS'], word: 'submitted' },
  guardianReview: { from: ['SUBMITTED'], word: 'reviewed' },
  verify: { from: ['SUBMITTED', 'MANUAL_REVIEW'], word: 'verified' },
  cancel: { from: AGENT_CANCELLABLE, word: 'cancelled' },
  rate: { from: ['COMPLETED'], word: 'rated' },
  staffApprove: { from: ['SUBMITTED', 'MANUAL_REVIEW'], word: 'approved' },
  staffReject: { from: ['MANUAL_REVIEW'], word: 'rejected' },
  resolveDispute: { from: ['DISPUTED'], word: 'resolved' },
} as const satisfies Record<string, { from: readonly TaskStatus[]; word: string }>
export type TaskAction = keyof typeof ACTIONS

/** Refuses an action the task's status does not allow (409 INVALID_STATE, naming where it is allowed). */
export function assertAction(actual: TaskStatus, action: TaskAction): void {
  const { from, word } = ACTIONS[action]
  if (!(from as readonly TaskStatus[]).includes(actual)) {
    throw new DomainError(
      'INVALID_STATE',
      `Task cannot be ${word} in status ${actual}; allowed only in ${from.join(', ')}.`,
    )
  }
}

/**
 * What is queued when a task enters a status, in the transaction of the change (`transitionTask`
 * applies it): the estimate's expiry, the Guardian's review of a submission, the auto-approval of
 * a manual review left undecided, and the simulated operator's next step on a sandbox task.
 */
export type EntryTimer = 'estimate.expire' | 'guardian.review' | 'review.auto_approve' | 'sandbox.step'
export const ON_ENTER: Partial<Record<TaskStatus, readonly EntryTimer[]>> = {
  PENDING: ['sandbox.step'],
  ESTIMATE_PENDING: ['estimate.expire'],
  ACCEPTED: ['sandbox.step'],
  IN_PROGRESS: ['sandbox.step'],
  SUBMITTED: ['guardian.review'],
  MANUAL_REVIEW: ['review.auto_approve'],
}

/** Where the deadline passing cancels the task with a full refund (spec §7). */
export const DEADLINE_CANCELLABLE: readonly TaskStatus[] = [
  'PENDING',
  'ESTIMATE_PENDING',
  'ACCEPTED',
  'IN_PROGRESS',
]

/** Where an operator holds the task and has not finished it. */
export const OPERATOR_ACTIVE_STATUSES: readonly TaskStatus[] = ['ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS']
