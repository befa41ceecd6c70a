import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { StaffRole } from '../domain/staff-roles.ts'
import { verifyAccessToken } from '../sessions/access-token.ts'
import { revokeSubjectSessions } from '../sessions/revoke-session.ts'

export interface StaffPrincipal {
  staffId: string
  email: string
  role: StaffRole
}

/**
 * The staff user of a console access token (`hstf_…`), if the token is valid, the user active,
 * and the token issued after their last "logout everywhere". Read per request: a role change
 * or a disabled user takes effect at once.
 */
export async function authenticateStaffToken(ctx: Ctx, token: string): Promise<StaffPrincipal | null> {
  const claims = verifyAccessToken(ctx, 'admin', token)
  if (!claims) return null
  const user = await ctx.store.db
    .selectFrom('staff_users')
    .select(['id', 'email', 'role', 'disabled_at', 'activated_at', 'tokens_valid_after'])
    .where('id', '=', claims.subjectId)
    .executeTakeFirst()
  if (!user || user.disabled_at || !user.activated_at) return null
  if (user.tokens_valid_after && claims.issuedAt.getTime() < new Date(user.tokens_valid_after).getTime()) {
    return null
  }
  return { staffId: user.id, email: user.email, role: user.role as StaffRole }
}

/**
 * `POST /staff/logout-everywhere`: ends every console session of this staff user (their refresh
 * tokens) and refuses every access token issued until now.
 */
export async function logoutStaffEverywhere(ctx: Ctx, staffId: string) {
  const now = ctx.clock.now()
  // Tokens carry millisecond issue times; one issued in this very millisecond is refused too.
  await ctx.store.db
    .updateTable('staff_users')
    .set({ tokens_valid_after: iso(new Date(now.getTime() + 1)) })
    .where('id', '=', staffId)
    .execute()
  return { sessions_ended: await revokeSubjectSessions(ctx, 'admin', staffId) }
}
