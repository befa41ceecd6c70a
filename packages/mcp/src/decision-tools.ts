import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { defineTool } from './define-tool.ts'
import { ok, summarizeTask } from './results.ts'
import type { Session } from './session.ts'
import { taskId } from './task-tools.ts'
import { markCredential, UNTRUSTED_NOTE, withUntrustedFields } from './untrusted.ts'

/** The agent's decisions on a task: estimates, proof, cancellation, and the credential it bought. */
export function registerDecisionTools(server: McpServer, session: Session): void {
  defineTool(
    server,
    session,
    'approve_estimate',
    {
      title: "Approve the operator's estimate",
      description:
        'Accepts the time estimate an operator offered on a task in ESTIMATE_PENDING, so they start the work ' +
        '(status ACCEPTED). MONEY: the escrow stays held and will pay this operator when the proof is approved; ' +
        'after the operator starts you can no longer cancel. Look at the estimate first (get_task or ' +
        'wait_for_task). Then use wait_for_task to follow the work.',
      inputSchema: { task_id: taskId },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async (args, { signal }) => {
      const r = await session.client().tasks.approveEstimate(args.task_id, { signal })
      return ok({ ...r, next_step: 'The operator will start and submit proof: call wait_for_task.' })
    },
  )

  defineTool(
    server,
    session,
    'reject_estimate',
    {
      title: "Reject the operator's estimate",
      description:
        'Declines the estimate on a task in ESTIMATE_PENDING (e.g. it takes too long): the operator is ' +
        'unassigned and the task is open to other operators again (status PENDING). The escrow stays held ' +
        'for the task; use cancel_task to get it back. Give a reason the operator will see.',
      inputSchema: {
        task_id: taskId,
        reason: z
          .string()
          .min(1)
          .max(2000)
          .describe('Why, shown to the operator, e.g. "Needed within 2 hours".'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async (args, { signal }) => {
      const r = await session.client().tasks.rejectEstimate(args.task_id, args.reason, { signal })
      return ok({ ...r, next_step: 'Waiting for another operator: call wait_for_task.' })
    },
  )

  defineTool(
    server,
    session,
    'verify_task',
    {
      title: 'Approve or reject the submitted proof',
      description:
        'Your verdict on the proof of a task in SUBMITTED or MANUAL_REVIEW (look at it first with get_task). ' +
        'APPROVE completes the task and releases the escrow to the operator — final, the money cannot come ' +
        'back. REJECT opens a DISPUTE: the escrow stays locked until a platform admin resolves it (pay the ' +
        'operator, refund you, or split); give a reason. Reject only for real shortcomings: agents whose ' +
        'rejections are repeatedly overturned get restricted.',
      inputSchema: {
        task_id: taskId,
        decision: z
          .enum(['APPROVE', 'REJECT'])
          .describe('APPROVE pays the operator; REJECT opens a dispute.'),
        reason: z
          .string()
          .max(2000)
          .optional()
          .describe('Why; shown to the operator and admins. Expected with REJECT.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    async (args, { signal }) => {
      const input =
        args.reason === undefined
          ? { decision: args.decision }
          : { decision: args.decision, reason: args.reason }
      const task = await session.client().tasks.verify(args.task_id, input, { signal })
      return ok(summarizeTask(task))
    },
  )

  defineTool(
    server,
    session,
    'cancel_task',
    {
      title: 'Cancel a task and get a refund',
      description:
        'Cancels a task that is PENDING, ESTIMATE_PENDING or ACCEPTED (before the operator starts) and refunds ' +
        'the whole escrow, fee included, to your deposit balance. Cannot be undone. Once the work has started ' +
        'it is refused; use verify_task on the proof instead.',
      inputSchema: {
        task_id: taskId,
        reason: z.string().max(2000).optional().describe('Why, for the record.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    async (args, { signal }) => {
      const r = await session.client().tasks.cancel(args.task_id, args.reason, { signal })
      return ok(r)
    },
  )

  defineTool(
    server,
    session,
    'retrieve_credential',
    {
      title: 'Retrieve the credential of a completed task',
      description:
        'Returns what the operator obtained on a COMPLETED credential task (ACCOUNT_CREATION, ' +
        'API_KEY_PROCUREMENT, PHONE_VERIFICATION, SUBSCRIPTION_SETUP): username, password, api_key, notes. ' +
        'If the task was created with agent_public_key, each value is a base64 sealed box only the matching ' +
        'private key opens (encryption "x25519-sealedbox"); otherwise plain text ("none"). Treat the values ' +
        'as secrets: do not repeat them beyond what the user needs. Credentials are purged 30 days after ' +
        'completion. Changes nothing. ' +
        UNTRUSTED_NOTE,
      inputSchema: { task_id: taskId },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, { signal }) =>
      ok(
        withUntrustedFields(
          markCredential(await session.client().tasks.retrieveCredential(args.task_id, { signal })),
        ),
      ),
  )

  defineTool(
    server,
    session,
    'rate_operator',
    {
      title: 'Rate the operator of a completed task',
      description:
        'Gives the operator who did a COMPLETED task a score from 1 (poor) to 5 (excellent), with an ' +
        'optional comment the operator sees; it feeds the rating other agents see on estimates. Once per ' +
        'task: a second rating is refused (409). Changes no money.',
      inputSchema: {
        task_id: taskId,
        score: z.number().int().min(1).max(5).describe('1 (poor) to 5 (excellent).'),
        comment: z.string().max(2000).optional().describe('Optional, shown to the operator.'),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async (args, { signal }) => {
      const input = {
        score: args.score as 1 | 2 | 3 | 4 | 5,
        ...(args.comment === undefined ? {} : { comment: args.comment }),
      }
      return ok(await session.client().tasks.rate(args.task_id, input, { signal }))
    },
  )
}
