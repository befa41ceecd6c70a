import type { FastifyInstance } from 'fastify'
import { createApiKey, listApiKeys, revokeApiKey } from '../../agents/api-keys.ts'
import { agentBalance, agentMe, agentTransactions } from '../../agents/balance.ts'
import { type DepositInput, reportDeposit } from '../../agents/deposit.ts'
import { type RegisterAgentInput, registerAgent } from '../../agents/register-agent.ts'
import type { Ctx } from '../../context.ts'
import { agentId, requireAgent } from '../auth.ts'
import { CreateKeyBody, DepositBody, PageQuery, RegisterAgentBody } from '../schemas/accounts.ts'
import { errorResponses, IdParams, type Pagination } from '../schemas/common.ts'

export function agentRoutes(app: FastifyInstance, ctx: Ctx): void {
  const auth = requireAgent(ctx)
  const tags = ['agents']
  const security = [{ apiKey: [] }]

  app.post<{ Body: RegisterAgentInput }>(
    '/agents/register',
    {
      config: { rateLimit: { groupId: 'register', max: 20, timeWindow: 60_000 } },
      schema: {
        tags,
        summary: 'Register an agent; the API key is shown once',
        body: RegisterAgentBody,
        response: errorResponses(400, 409),
      },
    },
    async (req, reply) => {
      reply.code(201)
      return registerAgent(ctx, req.body)
    },
  )
  app.get(
    '/agents/me',
    { onRequest: auth, schema: { tags, security, summary: 'Profile, tier, limits and usage' } },
    (req) => agentMe(ctx, agentId(req)),
  )
  app.post<{ Body: { name: string } }>(
    '/agents/keys',
    {
      onRequest: auth,
      schema: { tags, security, summary: 'Create an API key (shown once)', body: CreateKeyBody },
    },
    async (req, reply) => {
      reply.code(201)
      return createApiKey(ctx, agentId(req), req.body.name)
    },
  )
  app.get(
    '/agents/keys',
    { onRequest: auth, schema: { tags, security, summary: 'List live API keys (prefixes only)' } },
    (req) => listApiKeys(ctx, agentId(req)),
  )
  app.delete<{ Params: IdParams }>(
    '/agents/keys/:id',
    { onRequest: auth, schema: { tags, security, summary: 'Revoke an API key', params: IdParams } },
    (req) => revokeApiKey(ctx, agentId(req), req.params.id),
  )
  app.get(
    '/agents/balance',
    { onRequest: auth, schema: { tags, security, summary: 'Deposit and escrow balances' } },
    (req) => agentBalance(ctx, agentId(req)),
  )
  app.get<{ Querystring: Pagination }>(
    '/agents/transactions',
    {
      onRequest: auth,
      schema: { tags, security, summary: 'Your ledger lines, newest first', querystring: PageQuery },
    },
    (req) => agentTransactions(ctx, agentId(req), req.query),
  )
  app.post<{ Body: DepositInput }>(
    '/agents/deposit/usdc',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        summary: 'Report a USDC deposit; credited with what the chain says',
        body: DepositBody,
      },
    },
    async (req, reply) => {
      reply.code(201)
      return reportDeposit(ctx, agentId(req), req.body)
    },
  )
}
