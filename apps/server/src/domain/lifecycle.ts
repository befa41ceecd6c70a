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

/** Statuses from which an action may start, checked before the compare-and-set. */
export function assertStatus(actual: TaskStatus, allowed: readonly TaskStatus[], action: string): void {
  if (!allowed.includes(actual)) {
    throw new DomainError(
      'INVALID_STATE',
      `Task cannot be ${action} in status ${actual}; allowed only in ${allowed.join(', ')}.`,
    )
  }
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
