import type { FastifyReply, FastifyRequest } from 'fastify'
import { authenticateAdminToken } from '../admin/admin-tokens.ts'
import { authenticateApiKey } from '../agents/api-keys.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { authenticateOperatorToken, isLiveOperatorToken } from '../operators/authenticate.ts'

export type Principal =
  | { kind: 'agent'; agentId: string; keyId: string }
  | { kind: 'operator'; operatorId: string }
  | { kind: 'admin'; adminId: string }

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
  }
}

type Hook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization
  if (!h) return null
  const m = /^Bearer\s+(.+)$/i.exec(h)
  return m ? m[1]!.trim() : null
}

const apiKeyHeader = (req: FastifyRequest) => {
  const v = req.headers['x-api-key']
  return typeof v === 'string' && v !== '' ? v : null
}

const wrongRole = (needs: string) =>
  new DomainError('FORBIDDEN', `This endpoint is for ${needs}; the credentials sent belong to another role.`)

/**
 * Whether the request carries a live credential of some role. Only a live one makes a wrong-role
 * 403; a made-up, expired or revoked credential is a 401 whatever role it pretends to be.
 */
async function hasLiveCredential(ctx: Ctx, req: FastifyRequest): Promise<boolean> {
  const key = apiKeyHeader(req)
  if (key && (await authenticateApiKey(ctx, key))) return true
  const token = bearer(req)
  if (!token) return false
  if (token.startsWith('hadm_')) return (await authenticateAdminToken(ctx, token)) !== null
  return isLiveOperatorToken(ctx, token)
}

export function requireAgent(ctx: Ctx): Hook {
  return async (req) => {
    const key = apiKeyHeader(req)
    if (!key) {
      if (bearer(req) && (await hasLiveCredential(ctx, req))) throw wrongRole('agents (X-API-Key header)')
      throw new DomainError('UNAUTHORIZED', 'Missing API key: send it in the X-API-Key header.')
    }
    const found = await authenticateApiKey(ctx, key)
    if (!found)
      throw new DomainError(
        'UNAUTHORIZED',
        'Invalid API key: check the X-API-Key header (revoked keys stop working).',
      )
    req.principal = { kind: 'agent', ...found }
  }
}

export function requireOperator(ctx: Ctx): Hook {
  return async (req) => {
    const token = bearer(req)
    if (!token || token.startsWith('hadm_')) {
      if (await hasLiveCredential(ctx, req))
        throw wrongRole('operators (Authorization: Bearer <operator token>)')
      throw new DomainError(
        'UNAUTHORIZED',
        token
          ? 'The operator token is invalid or expired: log in again with POST /api/v1/operator/login.'
          : `Missing operator token: send Authorization: Bearer <token> from POST /api/v1/operator/login${ctx.oidc ? ` or from ${ctx.oidc.issuer}` : ''}.`,
      )
    }
    req.principal = { kind: 'operator', operatorId: await authenticateOperatorToken(ctx, token) }
  }
}

export function requireAdmin(ctx: Ctx): Hook {
  return async (req) => {
    const token = bearer(req)
    if (!token?.startsWith('hadm_')) {
      if (await hasLiveCredential(ctx, req)) throw wrongRole('platform staff (admin token)')
      throw new DomainError(
        'UNAUTHORIZED',
        token ? 'Invalid admin token.' : 'Missing admin token: create one with `humcli admin create-token`.',
      )
    }
    const adminId = await authenticateAdminToken(ctx, token)
    if (!adminId) throw new DomainError('UNAUTHORIZED', 'Invalid admin token.')
    req.principal = { kind: 'admin', adminId }
  }
}

export function agentId(req: FastifyRequest): string {
  if (req.principal?.kind !== 'agent') throw new Error('route without agent auth')
  return req.principal.agentId
}

export function operatorId(req: FastifyRequest): string {
  if (req.principal?.kind !== 'operator') throw new Error('route without operator auth')
  return req.principal.operatorId
}

export function adminId(req: FastifyRequest): string {
  if (req.principal?.kind !== 'admin') throw new Error('route without admin auth')
  return req.principal.adminId
}

export function principalKey(p: Principal | null): string {
  if (!p) return 'anonymous'
  switch (p.kind) {
    case 'agent':
      return `agent:${p.agentId}`
    case 'operator':
      return `operator:${p.operatorId}`
    case 'admin':
      return `admin:${p.adminId}`
  }
}
