import { DashboardLinkBody, DashboardSessionBody, errorResponses, LinkSent } from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import { checkDashboardLogin, requestDashboardLink } from '../../agents/dashboard-login.ts'
import type { Ctx } from '../../context.ts'
import { issueAccessToken } from '../../sessions/access-token.ts'
import { emailLinkBase } from '../base-url.ts'
import { perIpLimit } from '../rate-limit.ts'
import { sessionRoutes } from '../session-cookie.ts'

/**
 * The agent dashboard's sign-in: a magic link by email or an API key opens the generic browser
 * session (ADR 0015) of kind `agent` at /dashboard/session; its access tokens are `hagt_…`
 * bearer tokens that every agent endpoint accepts.
 */
export function dashboardRoutes(app: FastifyInstance, ctx: Ctx): void {
  const tags = ['dashboard']
  app.post<{ Body: { email: string } }>(
    '/dashboard/login-link',
    {
      config: perIpLimit('dashboard-login', ctx.config.loginRateLimitPerMinute),
      schema: {
        tags,
        operationId: 'requestDashboardLink',
        summary: "Email a single-use dashboard login link to the agent's address",
        description:
          'Sends a link that signs the agent in to the dashboard once, for a short time. Answers the ' +
          'same whether or not an agent has this email; 503 when the server cannot send email.',
        security: [],
        body: DashboardLinkBody,
        response: { 202: LinkSent, ...errorResponses(400, 503) },
      },
    },
    async (req, reply) => {
      reply.code(202)
      return requestDashboardLink(ctx, req.body.email, emailLinkBase(ctx, req))
    },
  )
  sessionRoutes<{ token?: string; api_key?: string }>(app, ctx, {
    kind: 'agent',
    prefix: '/dashboard/session',
    tags,
    operationName: 'Dashboard',
    loginBody: DashboardSessionBody,
    authenticate: (body) => checkDashboardLogin(ctx, body),
    issueAccess: async (id, familyId) => issueAccessToken(ctx, 'agent', id, familyId),
  })
}
