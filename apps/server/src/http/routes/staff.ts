import {
  CreateStaffBody,
  errorResponses,
  StaffLoginBody,
  type StaffRole,
  StaffSessionReply,
  StaffSetupBody,
  StaffSetupQuery,
} from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import type { Ctx } from '../../context.ts'
import { csrfToken, revokeWebSession } from '../../sessions/web-sessions.ts'
import { createStaffUser } from '../../staff/create-staff-user.ts'
import { loginStaff, type StaffLoginInput } from '../../staff/login-staff.ts'
import { completeStaffSetup, readStaffSetup } from '../../staff/setup-staff-user.ts'
import { logoutStaffEverywhere } from '../../staff/staff-session.ts'
import { requireAdmin, staffActor } from '../auth.ts'
import { perIpLimit } from '../rate-limit.ts'
import { clearSessionCookie, readCookie, SESSION_COOKIES, setSessionCookie } from '../session-cookie.ts'

/** Staff accounts and console sessions (the cookie `humcli_staff`; ADR 0013). */
export function staffRoutes(app: FastifyInstance, ctx: Ctx): void {
  const tags = ['staff']
  const anyStaff = requireAdmin(ctx, 'reviewer')
  const cookie: Record<string, string[]>[] = [{ staffSession: [] }]
  const limited = perIpLimit('staff-login', ctx.config.loginRateLimitPerMinute)

  app.get<{ Querystring: { token: string } }>(
    '/staff/setup',
    {
      config: limited,
      schema: {
        tags,
        summary: 'What a set-up link shows: the TOTP secret as a URI and a QR code (SVG)',
        querystring: StaffSetupQuery,
        response: errorResponses(404),
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
        response: errorResponses(400, 404),
      },
    },
    (req) => completeStaffSetup(ctx, req.body),
  )
  app.post<{ Body: StaffLoginInput }>(
    '/staff/login',
    {
      config: limited,
      schema: {
        tags,
        summary: 'Log in with password and TOTP code; sets the httpOnly session cookie',
        description:
          'Failed attempts are logged and counted per email: after HUMCLI_STAFF_LOGIN_MAX_FAILURES within ' +
          'HUMCLI_STAFF_LOGIN_WINDOW_MS the answer is 429. Send the returned csrf_token as X-CSRF-Token on every POST.',
        body: StaffLoginBody,
        response: { 200: StaffSessionReply, ...errorResponses(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const r = await loginStaff(ctx, req.body, req.ip)
      setSessionCookie(reply, ctx, SESSION_COOKIES.staff, r.token)
      return r.body
    },
  )
  app.get(
    '/staff/session',
    {
      onRequest: anyStaff,
      schema: { tags, security: cookie, summary: 'The logged-in staff user, and the CSRF token again' },
    },
    (req) => {
      const p = req.principal as { adminId: string; role: StaffRole; email?: string }
      const token = readCookie(req, SESSION_COOKIES.staff)
      return {
        staff: { id: p.adminId, email: p.email ?? null, role: p.role },
        csrf_token: token ? csrfToken(ctx, token) : null,
        idle_timeout_s: Math.round(ctx.config.sessionIdleMs / 1000),
      }
    },
  )
  app.post(
    '/staff/logout',
    { onRequest: anyStaff, schema: { tags, security: cookie, summary: 'End this session' } },
    async (req, reply) => {
      const sessionId = req.principal?.kind === 'admin' ? req.principal.sessionId : undefined
      if (sessionId) await revokeWebSession(ctx, sessionId)
      clearSessionCookie(reply, ctx, SESSION_COOKIES.staff)
      return { logged_out: true }
    },
  )
  app.post(
    '/staff/logout-everywhere',
    {
      onRequest: anyStaff,
      schema: { tags, security: cookie, summary: 'End every session of this staff user' },
    },
    async (req, reply) => {
      clearSessionCookie(reply, ctx, SESSION_COOKIES.staff)
      return logoutStaffEverywhere(ctx, staffActor(req).id)
    },
  )
  app.post<{ Body: { email: string; role: StaffRole } }>(
    '/admin/staff',
    {
      onRequest: requireAdmin(ctx, 'admin'),
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }, ...cookie],
        summary: 'Create a staff user; answers the one-time set-up link (admin only)',
        body: CreateStaffBody,
        response: errorResponses(400, 403, 409),
      },
    },
    async (req, reply) => {
      reply.code(201).header('cache-control', 'no-store')
      return createStaffUser(ctx, { ...req.body, actor: `admin:${staffActor(req).id}` })
    },
  )
}
