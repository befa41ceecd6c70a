import {
  CreateWebhookBody,
  DeletedWebhook,
  errorResponses,
  IdParams,
  PageQuery,
  type Pagination,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointList,
} from '@humcli/contract'
import type { TSchema } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import type { Ctx } from '../../context.ts'
import { createEndpoint } from '../../webhooks/create-endpoint.ts'
import { deleteEndpoint } from '../../webhooks/delete-endpoint.ts'
import { listDeliveries } from '../../webhooks/list-deliveries.ts'
import { listEndpoints } from '../../webhooks/list-endpoints.ts'
import { pingEndpoint } from '../../webhooks/ping-endpoint.ts'
import { redeliver } from '../../webhooks/redeliver.ts'
import { rotateSecret } from '../../webhooks/rotate-secret.ts'
import { agentId, requireAgent } from '../auth.ts'

type Id = { Params: IdParams }

/** Account webhook endpoints (ours): every route is the agent's own, another agent's id is 404. */
export function webhookRoutes(app: FastifyInstance, ctx: Ctx): void {
  const onRequest = requireAgent(ctx)
  const tags = ['webhooks']
  const security = [{ apiKey: [] }]
  const schema = (
    operationId: string,
    summary: string,
    description: string,
    reply: [number, TSchema],
    extra: Record<string, unknown> = {},
  ) => ({
    tags,
    security,
    operationId,
    summary,
    description,
    response: { [reply[0]]: reply[1], ...errorResponses(400, 401, 403, 404) },
    ...extra,
  })

  app.post<{ Body: CreateWebhookBody }>(
    '/webhooks',
    {
      onRequest,
      schema: schema(
        'createWebhook',
        'Register a webhook endpoint; its whsec_ secret is shown once',
        'Signed deliveries (Standard Webhooks) of the chosen events to an https URL; at most 10 endpoints.',
        [201, WebhookEndpoint],
        { body: CreateWebhookBody },
      ),
    },
    async (req, reply) => {
      reply.code(201)
      return createEndpoint(ctx, agentId(req), req.body)
    },
  )
  app.get(
    '/webhooks',
    {
      onRequest,
      schema: schema(
        'listWebhooks',
        'List your webhook endpoints',
        'Enabled and disabled endpoints, without their secrets.',
        [200, WebhookEndpointList],
      ),
    },
    (req) => listEndpoints(ctx, agentId(req)),
  )
  app.delete<Id>(
    '/webhooks/:id',
    {
      onRequest,
      schema: schema(
        'deleteWebhook',
        'Delete a webhook endpoint',
        'Its pending deliveries are dropped.',
        [200, DeletedWebhook],
        { params: IdParams },
      ),
    },
    (req) => deleteEndpoint(ctx, agentId(req), req.params.id),
  )
  app.post<Id>(
    '/webhooks/:id/test',
    {
      onRequest,
      schema: schema(
        'testWebhook',
        'Send a webhook.ping event to the endpoint',
        'Queues the delivery and answers it (202); follow it in the deliveries list.',
        [202, WebhookDelivery],
        { params: IdParams },
      ),
    },
    async (req, reply) => {
      reply.code(202)
      return pingEndpoint(ctx, agentId(req), req.params.id)
    },
  )
  app.get<Id & { Querystring: Pagination }>(
    '/webhooks/:id/deliveries',
    {
      onRequest,
      schema: schema(
        'listWebhookDeliveries',
        'Deliveries to the endpoint, newest first',
        "Each delivery's request, the receiver's answer (cut short) and its retry state.",
        [200, WebhookDeliveryPage],
        { params: IdParams, querystring: PageQuery },
      ),
    },
    (req) => listDeliveries(ctx, agentId(req), req.params.id, req.query),
  )
  app.post<Id>(
    '/webhooks/deliveries/:id/redeliver',
    {
      onRequest,
      schema: schema(
        'redeliverWebhook',
        'Send a delivery again now (same event id)',
        'Receivers deduplicate by the event id, so a redelivery is safe.',
        [202, WebhookDelivery],
        { params: IdParams },
      ),
    },
    async (req, reply) => {
      reply.code(202)
      return redeliver(ctx, agentId(req), req.params.id)
    },
  )
  app.post<Id>(
    '/webhooks/:id/rotate-secret',
    {
      onRequest,
      schema: schema(
        'rotateWebhookSecret',
        'New secret (shown once); the old one keeps signing for 24 h',
        'Deliveries carry both signatures until the old secret expires.',
        [200, WebhookEndpoint],
        { params: IdParams },
      ),
    },
    (req) => rotateSecret(ctx, agentId(req), req.params.id),
  )
}
