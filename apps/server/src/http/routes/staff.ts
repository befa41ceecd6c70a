import {
  CreatedStaffUser,
  CreateStaffBody,
  errorResponses,
  SessionsEnded,
  StaffActivated,
  StaffLoginBody,
  StaffMe,
  type StaffRole,
  StaffSetupBody,
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
 * Staff accounts and console sessions: the generic browser session (ADR 0015) of kind `admin`
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
    operationName: 'Staff',
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
        operationId: 'readStaffSetup',
        summary: 'What a set-up link shows: the TOTP secret as a URI and a QR code (SVG)',
        description:
          'For the page a one-time set-up link opens: the staff user, their TOTP secret (base32 and ' +
          'as an otpauth URI) and its QR code. Never cached. 404 once the link is used or expired.',
        security: [],
        querystring: StaffSetupQuery,
        response: { 200: StaffSetupInfo, ...errorResponses(400, 404) },
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
        operationId: 'completeStaffSetup',
        summary: 'Set the password and confirm the authenticator; the link then stops working',
        description:
          'Sets the password (at least 12 characters) and checks a current TOTP code from the ' +
          'authenticator the QR code was scanned into; the account is then active and the link dead.',
        security: [],
        body: StaffSetupBody,
        response: { 200: StaffActivated, ...errorResponses(400, 404) },
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
        operationId: 'getStaffMe',
        summary: 'The signed-in staff user and role',
        description:
          'Who the bearer token (a console access token or an `hadm_` token) belongs to, and their role.',
        response: { 200: StaffMe, ...errorResponses(401, 403) },
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
      schema: {
        tags,
        security,
        operationId: 'logoutStaffEverywhere',
        summary: 'End every console session of this staff user, at once',
        description:
          "Revokes all of this staff user's refresh tokens and refuses every access token issued " +
          'until now, on every device.',
        response: { 200: SessionsEnded, ...errorResponses(401, 403) },
      },
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
        operationId: 'createStaffUser',
        summary: 'Create a staff user; answers the one-time set-up link (admin only)',
        description:
          'A staff user with a role (reviewer or admin) and no password yet; the answer holds the ' +
          'one-time set-up link, shown only here. The same as `humcli admin create-user`.',
        body: CreateStaffBody,
        response: { 201: CreatedStaffUser, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      reply.code(201).header('cache-control', 'no-store')
      return createStaffUser(ctx, { ...req.body, actor: `admin:${staffActor(req).id}` })
    },
  )
}
