import { createHmac, randomBytes } from 'node:crypto'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { newId } from '../domain/ids.ts'
import { sha256Hex } from '../secrets.ts'
import type { Tx } from '../store/schema.ts'

/**
 * Browser sessions for every kind of subject (staff, agents; operators can join): an opaque
 * random token in an httpOnly, SameSite=Strict cookie, stored as its SHA-256. A session ends after
 * `sessionIdleMs` without a request, on logout, or when all of its subject's sessions are revoked.
 * The CSRF token is an HMAC of the session token, so it needs no storage and dies with it.
 */
export type SessionSubject = 'staff' | 'agent'

/** `last_seen_at` is written at most once a minute per session, not on every request. */
const TOUCH_EVERY_MS = 60_000

export async function createWebSession(
  tx: Tx,
  kind: SessionSubject,
  subjectId: string,
  now: Date,
): Promise<{ id: string; token: string }> {
  const token = `hses_${randomBytes(32).toString('base64url')}`
  const id = newId('ses')
  await tx
    .insertInto('web_sessions')
    .values({
      id,
      token_hash: sha256Hex(token),
      subject_kind: kind,
      subject_id: subjectId,
      created_at: iso(now),
      last_seen_at: iso(now),
      revoked_at: null,
    })
    .execute()
  return { id, token }
}

/** The live session of `kind` this token opens, touching it; null when unknown, revoked or idle too long. */
export async function authenticateWebSession(
  ctx: Ctx,
  kind: SessionSubject,
  token: string,
): Promise<{ sessionId: string; subjectId: string } | null> {
  const row = await ctx.store.db
    .selectFrom('web_sessions')
    .select(['id', 'subject_id', 'last_seen_at', 'subject_kind', 'revoked_at'])
    .where('token_hash', '=', sha256Hex(token))
    .executeTakeFirst()
  if (!row || row.subject_kind !== kind || row.revoked_at) return null
  const now = ctx.clock.now()
  const idle = now.getTime() - new Date(row.last_seen_at).getTime()
  if (idle > ctx.config.sessionIdleMs) return null
  if (idle > TOUCH_EVERY_MS) {
    await ctx.store.db
      .updateTable('web_sessions')
      .set({ last_seen_at: iso(now) })
      .where('id', '=', row.id)
      .execute()
  }
  return { sessionId: row.id, subjectId: row.subject_id }
}

export async function revokeWebSession(ctx: Ctx, sessionId: string): Promise<void> {
  await ctx.store.db
    .updateTable('web_sessions')
    .set({ revoked_at: iso(ctx.clock.now()) })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute()
}

/** Logout everywhere: every live session of the subject. Returns how many ended. */
export async function revokeAllWebSessions(
  tx: Tx,
  kind: SessionSubject,
  subjectId: string,
  now: Date,
): Promise<number> {
  const r = await tx
    .updateTable('web_sessions')
    .set({ revoked_at: iso(now) })
    .where('subject_kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}

/** The CSRF token bound to a session token: sent back in `X-CSRF-Token` on every unsafe request. */
export function csrfToken(ctx: Ctx, sessionToken: string): string {
  return createHmac('sha256', ctx.secrets.masterKey).update(`humcli:csrf:${sessionToken}`).digest('base64url')
}
