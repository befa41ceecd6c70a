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

/** How a poll loop paces itself: `WaitOptions` without the task-specific parts. */
export interface PollPacing {
  timeoutMs?: number
  initialDelayMs?: number
  factor?: number
  maxDelayMs?: number
  signal?: AbortSignal
}

/**
 * Calls `get` until `done` says so and returns that value; `onChange` sees each new state
 * (`stateOf`), `timedOut` builds the error once `timeoutMs` has passed. Pauses grow
 * geometrically; the last pause is cut short so the final poll lands on the timeout.
 */
export async function pollUntil<T, S>(
  timers: Timers,
  get: (signal?: AbortSignal) => Promise<T>,
  o: PollPacing & {
    stateOf: (value: T) => S
    done: (value: T) => boolean
    onChange?: (value: T, previous: S | null) => void | Promise<void>
    timedOut: (value: T, elapsedMs: number) => Error
  },
): Promise<T> {
  const factor = o.factor ?? 1.5
  const maxDelay = o.maxDelayMs ?? 60_000
  let delay = o.initialDelayMs ?? 5_000
  const started = timers.now()
  let previous: S | null = null
  for (;;) {
    const value = await get(o.signal)
    const state = o.stateOf(value)
    if (state !== previous) {
      await o.onChange?.(value, previous)
      previous = state
    }
    if (o.done(value)) return value
    const elapsed = timers.now() - started
    if (o.timeoutMs !== undefined && elapsed >= o.timeoutMs) throw o.timedOut(value, elapsed)
    const remaining = o.timeoutMs === undefined ? delay : o.timeoutMs - elapsed
    await timers.sleep(Math.min(delay, remaining), o.signal)
    delay = Math.min(delay * factor, maxDelay)
  }
}

/** Polls `get` until the task reaches one of `until` or a final status, and returns that task. */
export function waitForTask(
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
  return pollUntil(timers, get, {
    ...options,
    stateOf: (task) => task.status,
    done: (task) => until.has(task.status) || FINAL_STATUSES.includes(task.status),
    ...(options.onStatus ? { onChange: options.onStatus } : {}),
    timedOut: (task, elapsed) =>
      new WaitTimeoutError(
        `Task ${task.task_id} is still ${task.status} after ${Math.round(elapsed / 1000)} s of waiting for ${[...until].join(' or ')}.`,
        task,
      ),
  })
}
