import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { csrfToken } from '../sessions/web-sessions.ts'

/** The cookie of each kind of browser session. */
export const SESSION_COOKIES = { staff: 'humcli_staff', agent: 'humcli_agent' } as const
export type SessionCookie = (typeof SESSION_COOKIES)[keyof typeof SESSION_COOKIES]

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function readCookie(req: FastifyRequest, name: string): string | null {
  const header = req.headers.cookie
  if (!header) return null
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim()
      return v === '' ? null : decodeURIComponent(v)
    }
  }
  return null
}

/** `Secure` when the public URL is https; a plain-http development server would otherwise never get it back. */
function attributes(ctx: Ctx): string {
  const secure = ctx.config.publicUrl?.startsWith('https:') ? '; Secure' : ''
  return `Path=/; HttpOnly; SameSite=Strict${secure}`
}

export function setSessionCookie(reply: FastifyReply, ctx: Ctx, name: SessionCookie, token: string): void {
  reply.header('set-cookie', `${name}=${token}; ${attributes(ctx)}`)
}

export function clearSessionCookie(reply: FastifyReply, ctx: Ctx, name: SessionCookie): void {
  reply.header('set-cookie', `${name}=; Max-Age=0; ${attributes(ctx)}`)
}

/**
 * The session token of the request's cookie. A request that changes something must also carry
 * the session's CSRF token in `X-CSRF-Token` (SameSite=Strict already keeps other sites' requests
 * from carrying the cookie; this holds even for an old browser that ignores SameSite).
 */
export function cookieSessionToken(ctx: Ctx, req: FastifyRequest, name: SessionCookie): string | null {
  const token = readCookie(req, name)
  if (!token) return null
  if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== csrfToken(ctx, token)) {
    throw new DomainError(
      'FORBIDDEN',
      'Missing or wrong X-CSRF-Token header: send the csrf_token your login (or GET …/session) returned.',
    )
  }
  return token
}
