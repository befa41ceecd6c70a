import {
  DashboardLinkBody,
  DashboardSessionBody,
  DashboardSessionReply,
  errorResponses,
} from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import {
  dashboardSessionFromKey,
  redeemDashboardLink,
  requestDashboardLink,
} from '../../agents/dashboard-login.ts'
import type { Ctx } from '../../context.ts'
import { invalid } from '../../domain/errors.ts'
import { csrfToken, revokeWebSession } from '../../sessions/web-sessions.ts'
import { agentId, requireAgent } from '../auth.ts'
import { emailLinkBase } from '../base-url.ts'
import { perIpLimit } from '../rate-limit.ts'
import { clearSessionCookie, readCookie, SESSION_COOKIES, setSessionCookie } from '../session-cookie.ts'

/** The agent dashboard's login: a magic link by email, or an API key, opens a cookie session. */
export function dashboardRoutes(app: FastifyInstance, ctx: Ctx): void {
  const tags = ['dashboard']
  const limited = perIpLimit('dashboard-login', ctx.config.loginRateLimitPerMinute)
  app.post<{ Body: { email: string } }>(
    '/dashboard/login-link',
    {
      config: limited,
      schema: {
        tags,
        summary: "Email a single-use dashboard login link to the agent's address",
        description: 'Answers the same whether or not an agent has this email.',
        body: DashboardLinkBody,
        response: errorResponses(400, 503),
      },
    },
    async (req, reply) => {
      reply.code(202)
      return requestDashboardLink(ctx, req.body.email, emailLinkBase(ctx, req))
    },
  )
  app.post<{ Body: { token?: string; api_key?: string } }>(
    '/dashboard/session',
    {
      config: limited,
      schema: {
        tags,
        summary:
          'Open a dashboard session with the login-link token or an API key (sets the httpOnly cookie)',
        body: DashboardSessionBody,
        response: { 200: DashboardSessionReply, ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => {
      const { token, api_key } = req.body
      if ((token === undefined) === (api_key === undefined)) {
        throw invalid('body', 'Send exactly one of `token` (from the login link) or `api_key`.')
      }
      const r =
        token !== undefined
          ? await redeemDashboardLink(ctx, token)
          : await dashboardSessionFromKey(ctx, api_key!)
      setSessionCookie(reply, ctx, SESSION_COOKIES.agent, r.token)
      return r.body
    },
  )
  app.get(
    '/dashboard/session',
    {
      onRequest: requireAgent(ctx),
      schema: {
        tags,
        security: [{ agentSession: [] }],
        summary: 'The logged-in agent, and the CSRF token again',
      },
    },
    (req) => {
      const token = readCookie(req, SESSION_COOKIES.agent)
      return {
        agent_id: agentId(req),
        csrf_token: token ? csrfToken(ctx, token) : null,
        idle_timeout_s: Math.round(ctx.config.sessionIdleMs / 1000),
      }
    },
  )
  app.post(
    '/dashboard/logout',
    {
      onRequest: requireAgent(ctx),
      schema: { tags, security: [{ agentSession: [] }], summary: 'End this session' },
    },
    async (req, reply) => {
      const sessionId = req.principal?.kind === 'agent' ? req.principal.sessionId : undefined
      if (sessionId) await revokeWebSession(ctx, sessionId)
      clearSessionCookie(reply, ctx, SESSION_COOKIES.agent)
      return { logged_out: true }
    },
  )
}
