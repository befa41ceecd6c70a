import type { Ctx } from '../context.ts'
import type { StaffRole } from '../domain/staff-roles.ts'
import { authenticateWebSession, revokeAllWebSessions } from '../sessions/web-sessions.ts'
import { withTx } from '../store/tx.ts'

export interface StaffPrincipal {
  staffId: string
  email: string
  role: StaffRole
  sessionId: string
}

/** The staff user a console cookie belongs to, if the session is live and the user active. */
export async function authenticateStaffSession(ctx: Ctx, token: string): Promise<StaffPrincipal | null> {
  const session = await authenticateWebSession(ctx, 'staff', token)
  if (!session) return null
  const user = await ctx.store.db
    .selectFrom('staff_users')
    .select(['id', 'email', 'role', 'disabled_at', 'activated_at'])
    .where('id', '=', session.subjectId)
    .executeTakeFirst()
  if (!user || user.disabled_at || !user.activated_at) return null
  return { staffId: user.id, email: user.email, role: user.role as StaffRole, sessionId: session.sessionId }
}

/** `POST /staff/logout-everywhere`: ends every session of this staff user, this one included. */
export async function logoutStaffEverywhere(ctx: Ctx, staffId: string) {
  const ended = await withTx(ctx.store, (tx) => revokeAllWebSessions(tx, 'staff', staffId, ctx.clock.now()))
  return { sessions_ended: ended }
}
