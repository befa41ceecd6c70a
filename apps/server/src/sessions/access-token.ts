import { createHmac, timingSafeEqual } from 'node:crypto'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'

/**
 * The short-lived bearer token a console or dashboard session hands out on sign-in and on each
 * refresh (ADR 0015): `<prefix><base64url({sub, iat, exp})>.<HMAC-SHA256>`, under a key derived
 * from the master key, so every process sharing the key accepts it without a lookup. Only the
 * refresh cookie is long-lived; this token lives `browserAccessTtlS` and stays in page memory.
 */
export const ACCESS_PREFIX = { admin: 'hstf_', agent: 'hagt_' } as const
export type AccessKind = keyof typeof ACCESS_PREFIX

const key = (ctx: Ctx, kind: AccessKind) =>
  createHmac('sha256', ctx.secrets.masterKey).update(`humcli:access-token:${kind}`).digest()

const sign = (ctx: Ctx, kind: AccessKind, body: string) =>
  createHmac('sha256', key(ctx, kind)).update(body).digest('base64url')

/** `session`: the session family the token belongs to, checked per request where it is named. */
export function issueAccessToken(ctx: Ctx, kind: AccessKind, subjectId: string, session?: string) {
  const now = ctx.clock.now()
  const expires = addMs(now, ctx.config.browserAccessTtlS * 1000)
  const body = Buffer.from(
    JSON.stringify({ sub: subjectId, sid: session, iat: now.getTime(), exp: expires.getTime() }),
  ).toString('base64url')
  return { token: `${ACCESS_PREFIX[kind]}${body}.${sign(ctx, kind, body)}`, expires_at: iso(expires) }
}

/** The subject and issue time of a valid, unexpired token of this kind; null otherwise. */
export function verifyAccessToken(
  ctx: Ctx,
  kind: AccessKind,
  token: string,
): { subjectId: string; issuedAt: Date; session: string | null } | null {
  const prefix = ACCESS_PREFIX[kind]
  if (!token.startsWith(prefix)) return null
  const [body, mac] = token.slice(prefix.length).split('.')
  if (!body || !mac) return null
  const want = Buffer.from(sign(ctx, kind, body))
  const got = Buffer.from(mac)
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as {
    sub: string
    sid?: string
    iat: number
    exp: number
  }
  if (claims.exp <= ctx.clock.now().getTime()) return null
  return { subjectId: claims.sub, issuedAt: new Date(claims.iat), session: claims.sid ?? null }
}
