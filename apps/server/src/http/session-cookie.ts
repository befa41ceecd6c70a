import { errorResponses } from '@humcli/contract'
import { type TSchema, Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { createSession } from '../sessions/create-session.ts'
import { revokeSession } from '../sessions/revoke-session.ts'
import { rotateSession } from '../sessions/rotate-session.ts'
import { type SessionSubjectKind, sessionTtlFor } from '../sessions/session-token.ts'
import { perIpLimit } from './rate-limit.ts'

/** The header every cookie-authenticated request must carry: a page on another site cannot set it. */
export const SESSION_HEADER = 'x-humcli-session'

/** The OpenAPI security scheme of each role's refresh cookie (`app.ts`). */
const SESSION_SCHEME: Record<SessionSubjectKind, string> = {
  operator: 'operatorSession',
  admin: 'staffSession',
  agent: 'agentSession',
}
const SESSION_WHO: Record<SessionSubjectKind, string> = {
  operator: 'an operator',
  admin: 'a staff user (password and TOTP code)',
  agent: 'an agent (login-link token or API key)',
}

/** What one role plugs into the generic session routes (ADR 0015). */
export interface SessionRoutes<Body> {
  kind: SessionSubjectKind
  /** Under /api/v1, e.g. `/operator/session`; the cookie is sent to this path only. */
  prefix: string
  tags: string[]
  /** Names the operations: `start<Name>Session`, `refresh<Name>Session`, `end<Name>Session`. */
  operationName: string
  loginBody: TSchema
  /**
   * The subject id of valid credentials (and the API key they were, for agents), or a 401
   * (`ip`: for roles that count failures per address).
   */
  authenticate(body: Body, ip: string): Promise<string | { id: string; apiKeyId: string | null }>
  /** A fresh short-lived bearer token for the subject, in the session `familyId`. */
  issueAccess(subjectId: string, familyId: string): Promise<{ token: string; expires_at: string }>
}

function readCookie(req: FastifyRequest, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return decodeURIComponent(v.join('='))
  }
  return null
}

/**
 * CSRF guard for the endpoints the cookie authenticates: the custom header (a cross-site form or
 * a no-CORS fetch cannot send it) and, when the browser sends one, an Origin of this very host.
 */
function checkSameOrigin(req: FastifyRequest): void {
  if (req.headers[SESSION_HEADER] !== '1') {
    throw new DomainError('FORBIDDEN', `Session requests must carry the header ${SESSION_HEADER}: 1.`)
  }
  const origin = req.headers.origin
  if (origin === undefined) return
  let host: string | null = null
  try {
    host = new URL(origin).host
  } catch {}
  if (host !== req.headers.host) {
    throw new DomainError('FORBIDDEN', 'Session requests are only accepted from pages of this server.')
  }
}

export function sessionRoutes<Body>(app: FastifyInstance, ctx: Ctx, opts: SessionRoutes<Body>): void {
  const cookie = `humcli_${opts.kind}_session`
  const path = `/api/v1${opts.prefix}`
  const secure = ctx.config.env === 'production' ? '; Secure' : ''
  const setCookie = (reply: FastifyReply, token: string, maxAgeS: number) =>
    reply.header(
      'set-cookie',
      `${cookie}=${token}; Path=${path}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`,
    )
  // Relative to the browser's clock: the lifetime itself, not an instant of the server's clock.
  const maxAge = Math.floor(sessionTtlFor(ctx.config, opts.kind) / 1000)
  const tags = opts.tags
  const access = Type.Object({ token: Type.String(), expires_at: Type.String({ format: 'date-time' }) })
  const cookieAuth = [{ [SESSION_SCHEME[opts.kind]]: [] }]
  const who = SESSION_WHO[opts.kind]

  app.post<{ Body: Body }>(
    opts.prefix,
    {
      config: perIpLimit(`${opts.kind}-session`, ctx.config.loginRateLimitPerMinute),
      schema: {
        tags,
        operationId: `start${opts.operationName}Session`,
        summary: 'Sign in and start a browser session (refresh cookie + short-lived access token)',
        description:
          `Signs ${who} in from a browser: sets an httpOnly, SameSite=Strict refresh cookie for ` +
          `${path} and answers a short-lived bearer access token. Requests must carry the header ` +
          `${SESSION_HEADER}: 1 (CSRF).`,
        security: [],
        body: opts.loginBody,
        response: { 200: access, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (req, reply) => {
      checkSameOrigin(req)
      const who = await opts.authenticate(req.body as Body, req.ip)
      const subject = typeof who === 'string' ? { id: who, apiKeyId: null } : who
      const session = await createSession(ctx, { kind: opts.kind, ...subject })
      setCookie(reply, session.token, maxAge)
      return opts.issueAccess(subject.id, session.familyId)
    },
  )
  app.post(
    `${opts.prefix}/refresh`,
    {
      schema: {
        tags,
        operationId: `refresh${opts.operationName}Session`,
        summary: 'A new access token from the session cookie (rotates it)',
        description:
          'Answers a new access token and replaces the refresh cookie with a new one; a refresh ' +
          'cookie used twice revokes the whole session (someone copied it).',
        security: cookieAuth,
        response: { 200: access, ...errorResponses(401, 403) },
      },
    },
    async (req, reply) => {
      checkSameOrigin(req)
      const token = readCookie(req, cookie)
      if (!token) throw new DomainError('UNAUTHORIZED', 'No session: sign in again.')
      try {
        const next = await rotateSession(ctx, opts.kind, token)
        setCookie(reply, next.token, maxAge)
        return opts.issueAccess(next.subjectId, next.familyId)
      } catch (err) {
        setCookie(reply, '', 0)
        throw err
      }
    },
  )
  app.post(
    `${opts.prefix}/logout`,
    {
      schema: {
        tags,
        operationId: `end${opts.operationName}Session`,
        summary: 'End the browser session (the refresh cookie stops working)',
        description: 'Revokes the session of the refresh cookie sent, if any, and clears the cookie.',
        security: cookieAuth,
        response: { 204: { description: 'Signed out', type: 'null' }, ...errorResponses(403) },
      },
    },
    async (req, reply) => {
      checkSameOrigin(req)
      const token = readCookie(req, cookie)
      if (token) await revokeSession(ctx, opts.kind, token)
      setCookie(reply, '', 0)
      reply.code(204)
    },
  )
}
