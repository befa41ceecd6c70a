import type { FastifyReply, FastifyRequest } from 'fastify'
import { authenticateAdminToken } from '../admin/admin-tokens.ts'
import { authenticateApiKey } from '../agents/api-keys.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { roleAllows, type StaffActor, type StaffRole } from '../domain/staff-roles.ts'
import { authenticateOperatorToken, isLiveOperatorToken } from '../operators/authenticate.ts'
import { verifyAccessToken } from '../sessions/access-token.ts'
import { sessionIsLive } from '../sessions/revoke-session.ts'
import { authenticateStaffToken } from '../staff/staff-session.ts'

/** `keyId` is null for an agent signed in to the dashboard (a `hagt_` access token, ADR 0015). */
export type Principal =
  | { kind: 'agent'; agentId: string; keyId: string | null }
  | { kind: 'operator'; operatorId: string }
  | { kind: 'admin'; adminId: string; role: StaffRole; email?: string }

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
 * The agent of a dashboard access token (`hagt_…`) whose session is live; 'ended' when the token
 * is genuine but its session was ended (logout, a revoked API key); null when it is not genuine
 * or has expired. One indexed read per request (ADR 0015, "Ending a session").
 */
async function liveDashboardAgent(ctx: Ctx, token: string): Promise<string | 'ended' | null> {
  const claims = verifyAccessToken(ctx, 'agent', token)
  if (!claims) return null
  if (claims.session === null || !(await sessionIsLive(ctx, claims.session))) return 'ended'
  return claims.subjectId
}

/**
 * Whether the request carries a live credential of some role. Only a live one makes a wrong-role
 * 403; a made-up, expired or revoked credential is a 401 whatever role it pretends to be.
 */
async function hasLiveCredential(ctx: Ctx, req: FastifyRequest): Promise<boolean> {
  const key = apiKeyHeader(req)
  if (key && (await authenticateApiKey(ctx, key))) return true
  const token = bearer(req)
  if (!token) return false
  if (token.startsWith('hagt_')) {
    const agent = await liveDashboardAgent(ctx, token)
    return agent !== null && agent !== 'ended'
  }
  if (token.startsWith('hstf_')) return (await authenticateStaffToken(ctx, token)) !== null
  if (token.startsWith('hadm_')) return (await authenticateAdminToken(ctx, token)) !== null
  return isLiveOperatorToken(ctx, token)
}

export function requireAgent(ctx: Ctx): Hook {
  return async (req) => {
    const key = apiKeyHeader(req)
    const token = bearer(req)
    if (!key && token?.startsWith('hagt_')) {
      const agent = await liveDashboardAgent(ctx, token)
      if (agent === null) {
        throw new DomainError(
          'UNAUTHORIZED',
          'The dashboard token is invalid or expired: refresh the session.',
        )
      }
      if (agent === 'ended') {
        throw new DomainError(
          'UNAUTHORIZED',
          'This dashboard session has ended (signed out, or the API key it was opened with was revoked): sign in again.',
        )
      }
      req.principal = { kind: 'agent', agentId: agent, keyId: null }
      return
    }
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
    if (!token || /^h(adm|stf|agt)_/.test(token)) {
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

/**
 * Staff: an admin token (`Authorization: Bearer hadm_…`, role admin) or a console access token
 * (`hstf_…`, its user's role). `needs` is the least role the endpoint takes.
 */
export function requireAdmin(ctx: Ctx, needs: StaffRole = 'admin'): Hook {
  return async (req) => {
    const principal = await staffPrincipal(ctx, req)
    if (!roleAllows(principal.role, needs)) {
      throw new DomainError('FORBIDDEN', `This action needs the ${needs} role; you are a ${principal.role}.`)
    }
    req.principal = principal
  }
}

async function staffPrincipal(ctx: Ctx, req: FastifyRequest): Promise<Principal & { kind: 'admin' }> {
  const token = bearer(req)
  if (token?.startsWith('hstf_')) {
    const staff = await authenticateStaffToken(ctx, token)
    if (!staff)
      throw new DomainError('UNAUTHORIZED', 'The console token is invalid or expired: refresh the session.')
    return { kind: 'admin', adminId: staff.staffId, role: staff.role, email: staff.email }
  }
  if (!token?.startsWith('hadm_')) {
    if (await hasLiveCredential(ctx, req)) throw wrongRole('platform staff (admin token)')
    throw new DomainError(
      'UNAUTHORIZED',
      token ? 'Invalid admin token.' : 'Missing admin token: create one with `humcli admin create-token`.',
    )
  }
  const adminId = await authenticateAdminToken(ctx, token)
  if (!adminId) throw new DomainError('UNAUTHORIZED', 'Invalid admin token.')
  return { kind: 'admin', adminId, role: 'admin' }
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
  return staffActor(req).id
}

export function staffActor(req: FastifyRequest): StaffActor {
  if (req.principal?.kind !== 'admin') throw new Error('route without admin auth')
  return { id: req.principal.adminId, role: req.principal.role }
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
