import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { newId } from '../domain/ids.ts'
import type { Tx } from '../store/schema.ts'
import { hashSessionToken, newSessionToken, type SessionSubjectKind, sessionTtlFor } from './session-token.ts'

export interface IssuedSession {
  /** The refresh token, shown once (it goes into the cookie). */
  token: string
  expiresAt: Date
  /** The session (every rotation of a refresh token shares it); access tokens name it. */
  familyId: string
}

/** Who a session is for, and for agents the API key that opened it (revoking the key ends it). */
export interface SessionSubject {
  kind: SessionSubjectKind
  id: string
  apiKeyId?: string | null
}

/** Writes one session row of `familyId` (a new family when omitted) and returns its token. */
export async function insertSession(
  ctx: Ctx,
  tx: Tx,
  subject: SessionSubject,
  familyId?: string,
): Promise<IssuedSession> {
  const now = ctx.clock.now()
  const id = newId('ses', now.getTime())
  const token = newSessionToken()
  const expiresAt = addMs(now, sessionTtlFor(ctx.config, subject.kind))
  await tx
    .insertInto('sessions')
    .values({
      id,
      family_id: familyId ?? id,
      subject_kind: subject.kind,
      subject_id: subject.id,
      token_hash: hashSessionToken(token),
      created_at: iso(now),
      expires_at: iso(expiresAt),
      rotated_at: null,
      revoked_at: null,
      api_key_id: subject.apiKeyId ?? null,
    })
    .execute()
  return { token, expiresAt, familyId: familyId ?? id }
}

/** Starts a new session (a new family) for a subject that has just proved who it is. */
export function createSession(ctx: Ctx, subject: SessionSubject): Promise<IssuedSession> {
  return insertSession(ctx, ctx.store.db, subject)
}
