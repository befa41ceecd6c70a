import {
  CancelBody,
  CreateTaskBody,
  errorResponses,
  IdParams,
  ListTasksQuery,
  RatingBody,
  RejectEstimateBody,
  RetrieveCredentialResponse,
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
import { buildTaskView, presentTaskView } from '../../tasks/serialize.ts'
import { verifyTask } from '../../tasks/verify-task.ts'
import { agentId, requireAgent } from '../auth.ts'
import { baseUrl } from '../base-url.ts'

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
        summary: 'Create a task and escrow its reward + fee',
        body: CreateTaskBody,
        response: errorResponses(400, 401, 402, 403, 409, 422),
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
      return generatedCallbackSecret ? { ...body, callback_secret: generatedCallbackSecret } : body
    },
  )

  app.get<{ Querystring: ListTasksQuery }>(
    '/tasks',
    {
      onRequest: auth,
      schema: { tags, security, summary: 'List your tasks, newest first', querystring: ListTasksQuery },
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
        summary: 'The full task object',
        description:
          '`proof` has the shape of the `TaskProof` schema (photo URLs plus `photo_details`) and ' +
          '`guardian_result` that of `GuardianResult` (decision, confidence, reasoning, checks).',
        params: IdParams,
        response: errorResponses(404),
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
      schema: { tags, security, summary: "Approve the operator's estimate", params: IdParams },
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
        summary: "Reject the operator's estimate",
        params: IdParams,
        body: RejectEstimateBody,
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
        summary: 'Approve (release escrow) or reject (dispute) submitted proof',
        params: IdParams,
        body: VerifyBody,
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
        summary: 'Cancel and refund the whole escrow',
        params: IdParams,
        body: CancelBody,
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
        summary: 'The credential of a COMPLETED credential task (sealed to agent_public_key when given)',
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
        summary: 'Rate the operator of a completed task',
        params: IdParams,
        body: RatingBody,
      },
    },
    async (req, reply) => {
      reply.code(201)
      return rateTask(ctx, agentId(req), req.params.id, req.body)
    },
  )
}
