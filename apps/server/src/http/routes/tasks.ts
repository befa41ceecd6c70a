import {
  ApprovedEstimate,
  CancelBody,
  CancelledTask,
  CreatedTask,
  CreateTaskBody,
  errorResponses,
  IdParams,
  ListTasksQuery,
  Rating,
  RatingBody,
  RefTo,
  RejectEstimateBody,
  RejectedEstimate,
  RetrieveCredentialResponse,
  Task,
  TaskPage,
  VerifyBody,
} from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import type { Ctx } from '../../context.ts'
import { retrieveCredential } from '../../credentials/retrieve-credential.ts'
import { microsToUsd } from '../../domain/money.ts'
import { approveEstimate } from '../../tasks/approve-estimate.ts'
import { cancelTask } from '../../tasks/cancel-task.ts'
import { createTask } from '../../tasks/create-task.ts'
import { getTask, getTaskJson } from '../../tasks/get-task.ts'
import { listTasks } from '../../tasks/list-tasks.ts'
import { rateTask } from '../../tasks/rate-task.ts'
import { rejectEstimate } from '../../tasks/reject-estimate.ts'
import { replayableCreateAnswer } from '../../tasks/replayable-answer.ts'
import { buildTaskView, presentTaskView } from '../../tasks/serialize.ts'
import { verifyTask } from '../../tasks/verify-task.ts'
import { agentId, requireAgent } from '../auth.ts'
import { baseUrl } from '../base-url.ts'
import { storeForReplay } from '../idempotency.ts'

type Id = { Params: IdParams }

export function taskRoutes(app: FastifyInstance, ctx: Ctx): void {
  const auth = requireAgent(ctx)
  const tags = ['tasks']
  const security = [{ apiKey: [] }]
  const view = (req: Parameters<typeof baseUrl>[1], id: string) =>
    getTask(ctx, agentId(req), id, baseUrl(ctx, req))

  app.post<{ Body: CreateTaskBody }>(
    '/tasks',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'createTask',
        summary: 'Create a task and escrow its reward + fee',
        description:
          'Escrows reward + platform fee from the deposit balance and opens the task to operators ' +
          '(SANDBOX agents: to the simulated operator). Send an `Idempotency-Key` so a retry never ' +
          'creates a second task.',
        body: CreateTaskBody,
        response: { 201: CreatedTask, ...errorResponses(400, 401, 402, 403, 409, 422) },
      },
    },
    async (req, reply) => {
      const { task, transitions, generatedCallbackSecret } = await createTask(ctx, agentId(req), req.body)
      const body = presentTaskView(
        ctx,
        await buildTaskView(ctx.store.db, task, transitions),
        baseUrl(ctx, req),
      )
      reply.code(201)
      // Replayed from the committed result after a crash: the generated secret was not kept.
      if (!generatedCallbackSecret && req.body.callback_url && !req.body.callback_secret)
        return replayableCreateAnswer({ ...body, callback_secret: null })
      if (!generatedCallbackSecret) return body
      const answer = { ...body, callback_secret: generatedCallbackSecret }
      storeForReplay(req, replayableCreateAnswer(answer))
      return answer
    },
  )

  app.get<{ Querystring: ListTasksQuery }>(
    '/tasks',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'listTasks',
        summary: 'List your tasks, newest first',
        description:
          'Compat summaries, filtered by `status` and `task_type`; paged with `limit`/`offset` (compat; the cost of a page grows with the offset, at most 10000) or by `cursor` (the `next_cursor` of the previous page; the same cost at any depth).',
        querystring: ListTasksQuery,
        response: { 200: TaskPage, ...errorResponses(400, 401) },
      },
    },
    async (req) => listTasks(ctx, agentId(req), req.query),
  )

  app.get<Id>(
    '/tasks/:id',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'getTask',
        summary: 'The full task object',
        description:
          '`proof` has the shape of the `TaskProof` schema (photo URLs plus `photo_details`) and ' +
          '`guardian_result` that of `GuardianResult` (decision, confidence, reasoning, checks).',
        params: IdParams,
        response: { 200: RefTo(Task), ...errorResponses(401, 404) },
      },
    },
    async (req, reply) => {
      const json = await getTaskJson(ctx, agentId(req), req.params.id, baseUrl(ctx, req))
      return reply.type('application/json; charset=utf-8').send(json)
    },
  )

  app.post<Id>(
    '/tasks/:id/estimate/approve',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'approveEstimate',
        summary: "Approve the operator's estimate",
        description: 'ESTIMATE_PENDING → ACCEPTED: the operator may start.',
        params: IdParams,
        response: { 200: ApprovedEstimate, ...errorResponses(401, 404, 409) },
      },
    },
    (req) => approveEstimate(ctx, agentId(req), req.params.id),
  )

  app.post<Id & { Body: { reason: string } }>(
    '/tasks/:id/estimate/reject',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'rejectEstimate',
        summary: "Reject the operator's estimate",
        description: 'ESTIMATE_PENDING → PENDING: the operator is unassigned and the task is open again.',
        params: IdParams,
        body: RejectEstimateBody,
        response: { 200: RejectedEstimate, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const t = await rejectEstimate(ctx, agentId(req), req.params.id, req.body.reason)
      return {
        task_id: t.id,
        status: t.status,
        message: 'Estimate rejected; the task is open to other operators again.',
      }
    },
  )

  app.post<Id & { Body: { decision: 'APPROVE' | 'REJECT'; reason?: string } }>(
    '/tasks/:id/verify',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'verifyTask',
        summary: 'Approve (release escrow) or reject (dispute) submitted proof',
        description:
          'APPROVE → COMPLETED (the operator is paid); REJECT → DISPUTED (staff decide). Answers the task.',
        params: IdParams,
        body: VerifyBody,
        response: { 200: RefTo(Task), ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req) => {
      await verifyTask(ctx, agentId(req), req.params.id, req.body)
      return view(req, req.params.id)
    },
  )

  app.post<Id & { Body: { reason?: string } | undefined }>(
    '/tasks/:id/cancel',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'cancelTask',
        summary: 'Cancel and refund the whole escrow',
        description: 'Before the work is submitted; the body (with an optional `reason`) may be left out.',
        params: IdParams,
        body: CancelBody,
        response: { 200: CancelledTask, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const t = await cancelTask(ctx, agentId(req), req.params.id, req.body?.reason)
      return {
        task_id: t.id,
        status: t.status,
        refunded_usd: microsToUsd(t.escrow_micros),
        cancelled_at: t.cancelled_at,
      }
    },
  )

  app.post<Id>(
    '/tasks/:id/retrieve-credential',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'retrieveCredential',
        summary: 'The credential of a COMPLETED credential task (sealed to agent_public_key when given)',
        description:
          'Each value is a base64 sealed box to `agent_public_key` (`x25519-sealedbox`), or plain ' +
          'text (`none`). 410 once the retention period has purged it.',
        params: IdParams,
        response: { 200: RetrieveCredentialResponse, ...errorResponses(404, 409, 410) },
      },
    },
    (req) => retrieveCredential(ctx, agentId(req), req.params.id),
  )

  app.post<Id & { Body: { score: number; comment?: string } }>(
    '/tasks/:id/rating',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'rateTask',
        summary: 'Rate the operator of a completed task',
        description: 'Once per task, 1–5.',
        params: IdParams,
        body: RatingBody,
        response: { 201: Rating, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req, reply) => {
      reply.code(201)
      return rateTask(ctx, agentId(req), req.params.id, req.body)
    },
  )
}
