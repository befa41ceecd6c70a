import {
  errorResponses,
  OperatorEarnings,
  OperatorRatings,
  PageQuery,
  Payout,
  PayoutBody,
  PayoutList,
} from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import type { Ctx } from '../../context.ts'
import { operatorEarnings } from '../../operators/earnings.ts'
import { listOperatorRatings } from '../../operators/list-ratings.ts'
import { listPayouts } from '../../payments/list-payouts.ts'
import { type PayoutInput, requestPayout } from '../../payments/request-payout.ts'
import { operatorId, requireOperator } from '../auth.ts'

/** What an operator's completed work brought: earnings, payouts, ratings. */
export function operatorEarningsRoutes(app: FastifyInstance, ctx: Ctx): void {
  const auth = requireOperator(ctx)
  const tags = ['operators']
  const security = [{ bearer: [] }]

  app.get(
    '/operator/earnings',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'getEarnings',
        summary: 'Pending and available earnings',
        description:
          'USD: pending earnings become available after the holding period; the last 20 completed tasks.',
        response: { 200: OperatorEarnings, ...errorResponses(401) },
      },
    },
    (req) => operatorEarnings(ctx, operatorId(req)),
  )
  app.post<{ Body: PayoutInput }>(
    '/operator/payout',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'requestPayout',
        summary: 'Withdraw available earnings in USDC (minimum $10; sent on chain by a job)',
        description:
          'Debits the available balance now; `status` follows the on-chain send (see GET /operator/payouts).',
        body: PayoutBody,
        response: { 201: Payout, ...errorResponses(400, 401, 402, 403, 409, 422) },
      },
    },
    async (req, reply) => {
      reply.code(201)
      return requestPayout(ctx, operatorId(req), req.body)
    },
  )
  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/operator/ratings',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'listOperatorRatings',
        summary: 'Ratings you received, with the agents’ comments',
        description:
          'The ratings agents gave your completed tasks, newest first, with their comments and your ' +
          'average (5 before any rating).',
        querystring: PageQuery,
        response: { 200: OperatorRatings, ...errorResponses(400, 401) },
      },
    },
    (req) => listOperatorRatings(ctx, operatorId(req), req.query),
  )
  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/operator/payouts',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'listPayouts',
        summary: 'Your payouts, newest first',
        description: 'Every payout you requested, with its on-chain status.',
        querystring: PageQuery,
        response: { 200: PayoutList, ...errorResponses(400, 401) },
      },
    },
    (req) => listPayouts(ctx, operatorId(req), req.query),
  )
}
