import type { FastifyRequest } from 'fastify'
import { configuredLinkBase } from '../agents/send-verification.ts'
import type { Ctx } from '../context.ts'

/** The public origin for links we hand out (signed file URLs): HUMCLI_PUBLIC_URL, else the request's own. */
export function baseUrl(ctx: Ctx, req: FastifyRequest): string {
  return ctx.config.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`
}

/**
 * The origin for links we email (verification). Never the request's Host header in production —
 * a forged Host would send a victim a link to someone else's server — so there it is
 * HUMCLI_PUBLIC_URL, else the listen address; in development the request's own origin is handy.
 */
export function emailLinkBase(ctx: Ctx, req: FastifyRequest): string {
  if (ctx.config.publicUrl) return ctx.config.publicUrl.replace(/\/$/, '')
  return ctx.config.env === 'development' ? `${req.protocol}://${req.host}` : configuredLinkBase(ctx)
}
