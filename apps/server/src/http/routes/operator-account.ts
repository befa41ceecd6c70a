import {
  AccessToken,
  errorResponses,
  LoginBody,
  OperatorProfile,
  OperatorRegistration,
  RegisterOperatorBody,
} from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import type { Ctx } from '../../context.ts'
import { operatorMe } from '../../operators/me.ts'
import { loginOperator, type RegisterOperatorInput, registerOperator } from '../../operators/register.ts'
import { operatorId, requireOperator } from '../auth.ts'
import { perIpLimit } from '../rate-limit.ts'

/** An operator's account: register, log in, the profile. */
export function operatorAccountRoutes(app: FastifyInstance, ctx: Ctx): void {
  const auth = requireOperator(ctx)
  const tags = ['operators']
  const security = [{ bearer: [] }]

  app.post<{ Body: RegisterOperatorInput }>(
    '/operator/register',
    {
      config: perIpLimit('register', ctx.config.signupRateLimitPerMinute),
      schema: {
        tags,
        security: [],
        operationId: 'registerOperator',
        summary: 'Register as an operator',
        description:
          'No auth. Answers a bearer token for the operator endpoints; tasks can be accepted once ' +
          'the identity check (KYC) is APPROVED. Rate limited per address.',
        body: RegisterOperatorBody,
        response: { 201: OperatorRegistration, ...errorResponses(400, 409, 429) },
      },
    },
    async (req, reply) => {
      reply.code(201)
      return registerOperator(ctx, req.body)
    },
  )
  app.post<{ Body: { email: string; password: string } }>(
    '/operator/login',
    {
      config: perIpLimit('login', ctx.config.loginRateLimitPerMinute),
      schema: {
        tags,
        security: [],
        operationId: 'loginOperator',
        summary: 'Log in; returns a short-lived token',
        description:
          'Failed logins are limited per account and client address (after 5 failures each try waits ' +
          '2^n s, at most 15 min) and per account (100 an hour from all addresses; then only ' +
          'addresses that signed in to it before may try): 429 with Retry-After.',
        body: LoginBody,
        response: { 200: AccessToken, ...errorResponses(400, 401, 429) },
      },
    },
    (req) => loginOperator(ctx, req.body, req.ip),
  )
  app.get(
    '/operator/me',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'getOperatorProfile',
        summary: 'Your profile',
        description: 'Profile, skills, KYC status, rating and task counts.',
        response: { 200: OperatorProfile, ...errorResponses(401) },
      },
    },
    (req) => operatorMe(ctx, operatorId(req)),
  )
}
