import type { FastifyRequest } from 'fastify'
import type { Ctx } from '../context.ts'

/** The public origin for links we hand out (signed file URLs): HUMCLI_PUBLIC_URL, else the request's own. */
export function baseUrl(ctx: Ctx, req: FastifyRequest): string {
  return ctx.config.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`
}
