import { HumcliError, type Task, type TaskStatus } from '@humcli/sdk'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import type { Session } from './session.ts'
import { untrusted, withUntrustedFields } from './untrusted.ts'

/** A tool result: compact JSON text (no indentation: every token counts in a model's context). */
export function ok(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }] }
}

/**
 * A failed call as the model should see it: the API's one-sentence error, its code and request
 * id, never a stack. Anything that is not a `HumcliError` is our bug: its stack goes to stderr.
 */
export function fail(err: unknown, session: Session): CallToolResult {
  if (err instanceof HumcliError) {
    const body: Record<string, unknown> = { error: hint(err, session), code: err.code }
    if (err.status !== null) body.status = err.status
    if (err.requestId) body.request_id = err.requestId
    if (err.details?.length) body.details = err.details
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] }
  }
  session.log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  const message = err instanceof Error ? err.message : String(err)
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: JSON.stringify({ error: `The humcli MCP server failed: ${message}`, code: 'INTERNAL' }),
      },
    ],
  }
}

/** The API's sentence, plus what to do when the cause is this server's configuration. */
function hint(err: HumcliError, session: Session): string {
  if (err.kind === 'network' || err.kind === 'timeout') {
    return `${err.message} Is the humcli server running? This MCP server is configured with HUMCLI_API_URL=${session.options.baseUrl}.`
  }
  if (err.status === 401) {
    return `${err.message} The API key of this MCP server (HUMCLI_API_KEY) was refused; configure a valid ho_live_… key.`
  }
  return err.message
}

/** What the agent should do next, given where the task is. */
export function nextStep(task: Pick<Task, 'status' | 'estimate'>): string {
  const steps: Record<TaskStatus, string> = {
    PENDING: 'Waiting for an operator to accept with an estimate: call wait_for_task.',
    ESTIMATE_PENDING: `An operator offered an estimate: call approve_estimate to let them start, or reject_estimate to reopen the task${task.estimate ? ` (the estimate expires at ${task.estimate.expires_at})` : ''}.`,
    ACCEPTED: 'The operator will start the work: call wait_for_task.',
    IN_PROGRESS: 'The operator is working: call wait_for_task.',
    SUBMITTED:
      'Proof submitted; the Guardian is reviewing it. Call wait_for_task, or get_task to inspect the proof and verify_task to decide yourself.',
    VERIFIED: 'The Guardian accepted the proof; the task completes by itself.',
    COMPLETED: 'Done: the escrow was released to the operator. get_task shows the proof.',
    MANUAL_REVIEW:
      'Your decision is needed: inspect the proof with get_task, then verify_task APPROVE (pays the operator) or REJECT (opens a dispute).',
    DISPUTED: 'An admin resolves the dispute; the escrow stays locked until then.',
    CANCELLED: 'Cancelled; the escrow was refunded.',
  }
  return steps[task.status]
}

/** The Guardian's decision and each check's reason, without the raw check data. */
function guardianOf(task: Task) {
  const g = task.guardian_result
  if (!g) return null
  const reasons = g.checks
    .filter((c) => typeof c.reason === 'string')
    .map((c) => ({ check: c.name, score: c.score, reason: c.reason }))
  return { decision: g.decision, confidence: g.confidence, reasoning: g.reasoning, reasons }
}

/**
 * The fields of a task a model needs to decide what to do: status, next step, proof summary,
 * Guardian decision and reasons. Operator-written text is wrapped (`untrusted.ts`);
 * `photoUrls` adds the signed proof-photo URLs (`get_task`).
 */
export function summarizeTask(task: Task, opts: { photoUrls?: boolean } = {}) {
  const last = task.transitions.at(-1)
  return withUntrustedFields({
    task_id: task.task_id,
    title: task.title,
    status: task.status,
    next_step: nextStep(task),
    task_type: task.task_type,
    reward_usd: task.reward_usd,
    escrow_usd: task.escrow_usd,
    deadline: task.deadline,
    sandbox: task.sandbox,
    operator: task.operator ? { name: task.operator.name, rating: task.operator.rating } : null,
    estimate: task.estimate
      ? {
          total_minutes: task.estimate.total_minutes,
          note: untrusted(task.estimate.note),
          expires_at: task.estimate.expires_at,
        }
      : null,
    proof: task.proof
      ? {
          photos: task.proof.photos.length,
          ...(opts.photoUrls ? { photo_urls: task.proof.photos } : {}),
          notes: untrusted(task.proof.notes),
          submitted_at: task.proof.submittedAt,
        }
      : null,
    guardian_result: guardianOf(task),
    credential_available: task.credential_available,
    transitions: task.transitions.length,
    last_transition: last ? { from: last.from, to: last.to, at: last.at } : null,
  })
}
