import { TASK_STATUSES, type Task, type TaskStatus, WaitTimeoutError } from '@humcli/sdk'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { defineTool } from './define-tool.ts'
import { ok, summarizeTask } from './results.ts'
import type { Session } from './session.ts'
import { taskId } from './task-tools.ts'
import { UNTRUSTED_NOTE } from './untrusted.ts'

/** Where a wait stops by default: the task needs the agent, or it is over. */
export const WAIT_UNTIL_DEFAULT: readonly TaskStatus[] = [
  'ESTIMATE_PENDING',
  'MANUAL_REVIEW',
  'DISPUTED',
  'COMPLETED',
  'CANCELLED',
]

/**
 * Below the 60 s after which common MCP clients (the TypeScript SDK's default request timeout)
 * give up on a call, so a default wait answers before the client stops listening.
 */
export const WAIT_DEFAULT_SECONDS = 50
export const WAIT_MAX_SECONDS = 300
/** How often a long wait reports progress, which also keeps progress-aware clients from timing out. */
const HEARTBEAT_MS = 10_000

export function registerWaitTool(server: McpServer, session: Session): void {
  defineTool(
    server,
    session,
    'wait_for_task',
    {
      title: 'Wait for a task to change',
      description:
        'Waits (polling) until a task reaches one of the `until` statuses — by default one where it needs ' +
        'you (ESTIMATE_PENDING, MANUAL_REVIEW) or is over (COMPLETED, CANCELLED, DISPUTED) — and returns it. ' +
        `Bounded: after timeout_seconds (default ${WAIT_DEFAULT_SECONDS}, max ${WAIT_MAX_SECONDS}) it returns the ` +
        'latest state with reached=false and a "still <status>" message; that is not an error, call it again ' +
        'to keep waiting. It always stops at COMPLETED or CANCELLED. Returns immediately if the task is ' +
        'already there. Read-only. ' +
        UNTRUSTED_NOTE,
      inputSchema: {
        task_id: taskId,
        until: z
          .array(z.enum(TASK_STATUSES))
          .min(1)
          .optional()
          .describe(
            'Statuses to stop at, e.g. ["ESTIMATE_PENDING"] or ["COMPLETED"]. Default: where the task needs you or is over.',
          ),
        timeout_seconds: z
          .number()
          .int()
          .min(1)
          .max(WAIT_MAX_SECONDS)
          .optional()
          .describe(`How long to wait at most (default ${WAIT_DEFAULT_SECONDS}, max ${WAIT_MAX_SECONDS}).`),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, { signal, progress }) => {
      const until = args.until ?? WAIT_UNTIL_DEFAULT
      const timeoutSeconds = args.timeout_seconds ?? WAIT_DEFAULT_SECONDS
      const started = Date.now()
      let status: TaskStatus | null = null
      const report = () => {
        const elapsed = (Date.now() - started) / 1000
        return progress(
          elapsed,
          timeoutSeconds,
          `task is ${status ?? 'being fetched'} after ${Math.round(elapsed)} s`,
        )
      }
      const heartbeat = setInterval(() => void report(), HEARTBEAT_MS)
      let task: Task
      let reached = true
      try {
        task = await session.client().waitForTask(args.task_id, {
          until,
          timeoutMs: timeoutSeconds * 1000,
          initialDelayMs: session.options.pollIntervalMs ?? 2_000,
          maxDelayMs: session.options.maxPollIntervalMs ?? 15_000,
          signal,
          onStatus: async (t) => {
            status = t.status
            await report()
          },
        })
      } catch (err) {
        if (!(err instanceof WaitTimeoutError)) throw err
        task = err.task as Task
        reached = false
      } finally {
        clearInterval(heartbeat)
      }
      const waited = Math.round((Date.now() - started) / 1000)
      return ok({
        reached,
        message: reached
          ? `Task is ${task.status} (waited ${waited} s).`
          : `Task is still ${task.status} after ${waited} s; it has not reached ${until.join(' or ')}. Call wait_for_task again to keep waiting.`,
        waited_seconds: waited,
        task: summarizeTask(task),
      })
    },
  )
}
