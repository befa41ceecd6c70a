import { CreateWebhookBody, errorResponses, IdParams, PageQuery, type Pagination } from '@humcli/contract'
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
  const schema = (summary: string, extra: Record<string, unknown> = {}) => ({
    tags,
    security,
    summary,
    response: errorResponses(400, 401, 403, 404),
    ...extra,
  })

  app.post<{ Body: CreateWebhookBody }>(
    '/webhooks',
    {
      onRequest,
      schema: schema('Register a webhook endpoint; its whsec_ secret is shown once', {
        body: CreateWebhookBody,
      }),
    },
    async (req, reply) => {
      reply.code(201)
      return createEndpoint(ctx, agentId(req), req.body)
    },
  )
  app.get('/webhooks', { onRequest, schema: schema('List your webhook endpoints') }, (req) =>
    listEndpoints(ctx, agentId(req)),
  )
  app.delete<Id>(
    '/webhooks/:id',
    { onRequest, schema: schema('Delete a webhook endpoint', { params: IdParams }) },
    (req) => deleteEndpoint(ctx, agentId(req), req.params.id),
  )
  app.post<Id>(
    '/webhooks/:id/test',
    { onRequest, schema: schema('Send a webhook.ping event to the endpoint', { params: IdParams }) },
    async (req, reply) => {
      reply.code(202)
      return pingEndpoint(ctx, agentId(req), req.params.id)
    },
  )
  app.get<Id & { Querystring: Pagination }>(
    '/webhooks/:id/deliveries',
    {
      onRequest,
      schema: schema('Deliveries to the endpoint, newest first', {
        params: IdParams,
        querystring: PageQuery,
      }),
    },
    (req) => listDeliveries(ctx, agentId(req), req.params.id, req.query),
  )
  app.post<Id>(
    '/webhooks/deliveries/:id/redeliver',
    { onRequest, schema: schema('Send a delivery again now (same event id)', { params: IdParams }) },
    async (req, reply) => {
      reply.code(202)
      return redeliver(ctx, agentId(req), req.params.id)
    },
  )
  app.post<Id>(
    '/webhooks/:id/rotate-secret',
    {
      onRequest,
      schema: schema('New secret (shown once); the old one keeps signing for 24 h', { params: IdParams }),
    },
    (req) => rotateSecret(ctx, agentId(req), req.params.id),
  )
}
