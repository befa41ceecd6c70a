import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
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
