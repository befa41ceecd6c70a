import {
  CreateStaffBody,
  errorResponses,
  StaffCreated,
  StaffLoginBody,
  StaffMe,
  type StaffRole,
  StaffSetupBody,
  StaffSetupDone,
  StaffSetupInfo,
  StaffSetupQuery,
} from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import type { Ctx } from '../../context.ts'
import { issueAccessToken } from '../../sessions/access-token.ts'
import { createStaffUser } from '../../staff/create-staff-user.ts'
import { checkStaffLogin, type StaffLoginInput } from '../../staff/login-staff.ts'
import { completeStaffSetup, readStaffSetup } from '../../staff/setup-staff-user.ts'
import { logoutStaffEverywhere } from '../../staff/staff-session.ts'
import { requireAdmin, staffActor } from '../auth.ts'
import { perIpLimit } from '../rate-limit.ts'
import { sessionRoutes } from '../session-cookie.ts'

/**
 * Staff accounts and console sessions: the generic browser session (ADR 0013) of kind `admin`
 * at /staff/session (sign in with password + TOTP, /refresh, /logout), 12 h without a refresh
 * ending it; its access tokens are `hstf_…` bearer tokens.
 */
export function staffRoutes(app: FastifyInstance, ctx: Ctx): void {
  const tags = ['staff']
  const anyStaff = requireAdmin(ctx, 'reviewer')
  const security: Record<string, string[]>[] = [{ bearer: [] }]
  const limited = perIpLimit('staff-login', ctx.config.loginRateLimitPerMinute)

  sessionRoutes<StaffLoginInput>(app, ctx, {
    kind: 'admin',
    prefix: '/staff/session',
    tags,
    loginBody: StaffLoginBody,
    authenticate: (body, ip) => checkStaffLogin(ctx, body, ip),
    issueAccess: async (id) => issueAccessToken(ctx, 'admin', id),
  })
  app.get<{ Querystring: { token: string } }>(
    '/staff/setup',
    {
      config: limited,
      schema: {
        tags,
        summary: 'What a set-up link shows: the TOTP secret as a URI and a QR code (SVG)',
        querystring: StaffSetupQuery,
        response: { 200: StaffSetupInfo, ...errorResponses(404) },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store')
      return readStaffSetup(ctx, req.query.token)
    },
  )
  app.post<{ Body: { token: string; password: string; totp_code: string } }>(
    '/staff/setup',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Set the password and confirm the authenticator; the link then stops working',
        body: StaffSetupBody,
        response: { 200: StaffSetupDone, ...errorResponses(400, 404) },
      },
    },
    (req) => completeStaffSetup(ctx, req.body),
  )
  app.get(
    '/staff/me',
    {
      onRequest: anyStaff,
      schema: {
        tags,
        security,
        summary: 'The signed-in staff user and role',
        response: { 200: StaffMe, ...errorResponses(401) },
      },
    },
    (req) => {
      const p = req.principal as { adminId: string; role: StaffRole; email?: string }
      return { id: p.adminId, email: p.email ?? null, role: p.role }
    },
  )
  app.post(
    '/staff/logout-everywhere',
    {
      onRequest: anyStaff,
      schema: { tags, security, summary: 'End every console session of this staff user, at once' },
    },
    (req) => logoutStaffEverywhere(ctx, staffActor(req).id),
  )
  app.post<{ Body: { email: string; role: StaffRole } }>(
    '/admin/staff',
    {
      onRequest: requireAdmin(ctx, 'admin'),
      schema: {
        tags: ['admin'],
        security,
        summary: 'Create a staff user; answers the one-time set-up link (admin only)',
        body: CreateStaffBody,
        response: { 201: StaffCreated, ...errorResponses(400, 403, 409) },
      },
    },
    async (req, reply) => {
      reply.code(201).header('cache-control', 'no-store')
      return createStaffUser(ctx, { ...req.body, actor: `admin:${staffActor(req).id}` })
    },
  )
}
