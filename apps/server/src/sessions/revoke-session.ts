import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import type { Tx } from '../store/schema.ts'
import { hashSessionToken, type SessionSubjectKind } from './session-token.ts'

/** Logout: ends the family of this refresh token (every rotation of it). Unknown tokens are a no-op. */
export async function revokeSession(ctx: Ctx, kind: SessionSubjectKind, token: string): Promise<void> {
  const row = await ctx.store.db
    .selectFrom('sessions')
    .select('family_id')
    .where('token_hash', '=', hashSessionToken(token))
    .where('subject_kind', '=', kind)
    .executeTakeFirst()
  if (!row) return
  await ctx.store.db
    .updateTable('sessions')
    .set({ revoked_at: iso(ctx.clock.now()) })
    .where('family_id', '=', row.family_id)
    .where('revoked_at', 'is', null)
    .execute()
}

/** Server-side revocation: ends every session of one subject (e.g. after a restriction); returns how many. */
export async function revokeSubjectSessions(
  ctx: Ctx,
  kind: SessionSubjectKind,
  subjectId: string,
): Promise<number> {
  const res = await ctx.store.db
    .updateTable('sessions')
    .set({ revoked_at: iso(ctx.clock.now()) })
    .where('subject_kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(res.numUpdatedRows)
}

/** Revoking an API key ends the dashboard sessions it opened (in the revocation's transaction). */
export async function revokeKeySessions(ctx: Ctx, tx: Tx, apiKeyId: string): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ revoked_at: iso(ctx.clock.now()) })
    .where('api_key_id', '=', apiKeyId)
    .where('revoked_at', 'is', null)
    .execute()
}

/**
 * Whether a session (a family of refresh tokens) is still live: not revoked — by logout, reuse,
 * a revoked API key or staff — and not past its end. Agent access tokens name their session and
 * are checked against it on every request, so an ended session stops at once, not when its
 * access token expires.
 */
export async function sessionIsLive(ctx: Ctx, familyId: string): Promise<boolean> {
  const row = await ctx.store.db
    .selectFrom('sessions')
    .select('id')
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', iso(ctx.clock.now()))
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}
