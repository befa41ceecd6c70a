import { WaitTimeoutError } from './errors.ts'
import type { Timers } from './transport.ts'
import type { Task, TaskStatus } from './types.ts'

/**
 * Where `waitForTask` stops by default: the statuses in which the task is over or waits for a
 * decision. COMPLETED and CANCELLED are final. DISPUTED waits for an admin. MANUAL_REVIEW waits
 * for you (`tasks.verify`) or an admin, and only auto-approves after 72 h — polling through it
 * would hide that a decision is needed. ESTIMATE_PENDING is not included: an unanswered estimate
 * expires back to PENDING by itself; pass `until: 'ESTIMATE_PENDING'` to act on it.
 */
export const DEFAULT_WAIT_UNTIL: readonly TaskStatus[] = [
  'COMPLETED',
  'CANCELLED',
  'DISPUTED',
  'MANUAL_REVIEW',
]

/** Statuses a task never leaves: waiting stops there even when they are not in `until`. */
export const FINAL_STATUSES: readonly TaskStatus[] = ['COMPLETED', 'CANCELLED']

export interface WaitOptions {
  /** Status or statuses to stop at (default `DEFAULT_WAIT_UNTIL`). */
  until?: TaskStatus | readonly TaskStatus[]
  /** Give up after this long with a `WaitTimeoutError` carrying the last task (default: no limit). */
  timeoutMs?: number
  /** Called with the task whenever its status differs from the last one seen (first call: `null`). */
  onStatus?: (task: Task, previousStatus: TaskStatus | null) => void | Promise<void>
  /** The first pause between polls (default 5000 ms), multiplied by `factor` (1.5) up to `maxDelayMs` (60000). */
  initialDelayMs?: number
  factor?: number
  maxDelayMs?: number
  signal?: AbortSignal
}

/**
 * Polls `get` until the task reaches one of `until` or a final status, and returns that task.
 * Pauses grow geometrically; the last pause is cut short so the final poll lands on the timeout.
 */
export async function waitForTask(
  timers: Timers,
  get: (signal?: AbortSignal) => Promise<Task>,
  options: WaitOptions = {},
): Promise<Task> {
  const until = new Set<TaskStatus>(
    options.until === undefined
      ? DEFAULT_WAIT_UNTIL
      : typeof options.until === 'string'
        ? [options.until]
        : options.until,
  )
  const factor = options.factor ?? 1.5
  const maxDelay = options.maxDelayMs ?? 60_000
  let delay = options.initialDelayMs ?? 5_000
  const started = timers.now()
  let previous: TaskStatus | null = null
  for (;;) {
    const task = await get(options.signal)
    if (task.status !== previous) {
      await options.onStatus?.(task, previous)
      previous = task.status
    }
    if (until.has(task.status) || FINAL_STATUSES.includes(task.status)) return task
    const elapsed = timers.now() - started
    if (options.timeoutMs !== undefined && elapsed >= options.timeoutMs) {
      throw new WaitTimeoutError(
        `Task ${task.task_id} is still ${task.status} after ${Math.round(elapsed / 1000)} s of waiting for ${[...until].join(' or ')}.`,
        task,
      )
    }
    const remaining = options.timeoutMs === undefined ? delay : options.timeoutMs - elapsed
    await timers.sleep(Math.min(delay, remaining), options.signal)
    delay = Math.min(delay * factor, maxDelay)
  }
}
