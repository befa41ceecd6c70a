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

/** What one role plugs into the generic session routes (ADR 0015). */
export interface SessionRoutes<Body> {
  kind: SessionSubjectKind
  /** Under /api/v1, e.g. `/operator/session`; the cookie is sent to this path only. */
  prefix: string
  tags: string[]
  loginBody: TSchema
  /** The subject id of valid credentials, or a 401 (`ip`: for roles that count failures per address). */
  authenticate(body: Body, ip: string): Promise<string>
  /** A fresh short-lived bearer token for the subject. */
  issueAccess(subjectId: string): Promise<{ token: string; expires_at: string }>
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

  app.post<{ Body: Body }>(
    opts.prefix,
    {
      config: perIpLimit(`${opts.kind}-session`, ctx.config.loginRateLimitPerMinute),
      schema: {
        tags,
        summary: 'Sign in and start a browser session (refresh cookie + short-lived access token)',
        body: opts.loginBody,
        response: { 200: access },
      },
    },
    async (req, reply) => {
      checkSameOrigin(req)
      const subjectId = await opts.authenticate(req.body as Body, req.ip)
      const session = await createSession(ctx, { kind: opts.kind, id: subjectId })
      setCookie(reply, session.token, maxAge)
      return opts.issueAccess(subjectId)
    },
  )
  app.post(
    `${opts.prefix}/refresh`,
    {
      schema: {
        tags,
        summary: 'A new access token from the session cookie (rotates it)',
        response: { 200: access },
      },
    },
    async (req, reply) => {
      checkSameOrigin(req)
      const token = readCookie(req, cookie)
      if (!token) throw new DomainError('UNAUTHORIZED', 'No session: sign in again.')
      try {
        const next = await rotateSession(ctx, opts.kind, token)
        setCookie(reply, next.token, maxAge)
        return opts.issueAccess(next.subjectId)
      } catch (err) {
        setCookie(reply, '', 0)
        throw err
      }
    },
  )
  app.post(
    `${opts.prefix}/logout`,
    { schema: { tags, summary: 'End the browser session (the refresh cookie stops working)' } },
    async (req, reply) => {
      checkSameOrigin(req)
      const token = readCookie(req, cookie)
      if (token) await revokeSession(ctx, opts.kind, token)
      setCookie(reply, '', 0)
      reply.code(204)
    },
  )
}
