import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { withTx } from '../store/tx.ts'
import { type IssuedSession, insertSession } from './create-session.ts'
import { hashSessionToken, type SessionSubjectKind } from './session-token.ts'

const EXPIRED = 'Your session has ended: sign in again.'

/**
 * A token rotated this recently and shown again is taken as its own holder whose answer was lost
 * (a reload or a dropped connection while the refresh was in flight: the server rotated, the
 * browser never stored the new cookie), not as a thief: it gets another token of the family.
 */
export const REUSE_GRACE_MS = 30_000

/**
 * Exchanges a live refresh token for a new one (compare-and-set on `rotated_at`, so two uses of
 * the same token cannot both win). A token that was already rotated is a reuse: someone holds a
 * copy, so the whole family is revoked and both holders must sign in again (ADR 0015) — unless
 * it was rotated less than `REUSE_GRACE_MS` ago, when it is answered like a first use.
 */
export async function rotateSession(
  ctx: Ctx,
  kind: SessionSubjectKind,
  token: string,
): Promise<IssuedSession & { subjectId: string }> {
  const now = iso(ctx.clock.now())
  const hash = hashSessionToken(token)
  const outcome = await withTx(ctx.store, async (tx) => {
    const row = await tx
      .selectFrom('sessions')
      .select(['family_id', 'subject_id', 'rotated_at', 'revoked_at', 'expires_at', 'api_key_id'])
      .where('token_hash', '=', hash)
      .where('subject_kind', '=', kind)
      .executeTakeFirst()
    if (!row || row.revoked_at !== null || row.expires_at <= now) return null
    const won = await tx
      .updateTable('sessions')
      .set({ rotated_at: now })
      .where('token_hash', '=', hash)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(won.numUpdatedRows) !== 1) {
      const rotated = await tx
        .selectFrom('sessions')
        .select('rotated_at')
        .where('token_hash', '=', hash)
        .executeTakeFirst()
      const since = rotated?.rotated_at
        ? ctx.clock.now().getTime() - Date.parse(rotated.rotated_at)
        : Infinity
      if (since <= REUSE_GRACE_MS) {
        const next = await insertSession(
          ctx,
          tx,
          { kind, id: row.subject_id, apiKeyId: row.api_key_id },
          row.family_id,
        )
        return { ...next, subjectId: row.subject_id }
      }
      await tx
        .updateTable('sessions')
        .set({ revoked_at: now })
        .where('family_id', '=', row.family_id)
        .where('revoked_at', 'is', null)
        .execute()
      return 'reused' as const
    }
    const next = await insertSession(
      ctx,
      tx,
      { kind, id: row.subject_id, apiKeyId: row.api_key_id },
      row.family_id,
    )
    return { ...next, subjectId: row.subject_id }
  })
  if (outcome === 'reused') {
    ctx.log.warn({ kind }, 'refresh token reused: session family revoked')
    throw new DomainError('UNAUTHORIZED', EXPIRED)
  }
  if (!outcome) throw new DomainError('UNAUTHORIZED', EXPIRED)
  return outcome
}
