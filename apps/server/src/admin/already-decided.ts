import { DomainError } from '../domain/errors.ts'
import type { Tx } from '../store/schema.ts'

/** `admin:stf_…` → the staff user's email, for messages and the audit view; tokens have none. */
export async function actorEmail(tx: Tx, actor: string): Promise<string | null> {
  const id = actor.startsWith('admin:') ? actor.slice(6) : null
  if (!id?.startsWith('stf_')) return null
  const row = await tx.selectFrom('staff_users').select('email').where('id', '=', id).executeTakeFirst()
  return row?.email ?? null
}

/**
 * The error for a staff decision that lost to another one: who made the earlier decision and
 * when, from the audit log, which holds every staff decision in the transaction that made it.
 */
export async function alreadyDecided(tx: Tx, objectId: string, actions: string[], what: string) {
  const last = await tx
    .selectFrom('audit_log')
    .select(['actor', 'action', 'at'])
    .where('object_id', '=', objectId)
    .where('action', 'in', actions)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!last) return null
  const email = await actorEmail(tx, last.actor)
  const who = email ? `${email} (${last.actor})` : last.actor
  return new DomainError(
    'CONFLICT',
    `${what} was already decided by ${who} at ${last.at} (${last.action}); nothing was changed.`,
  )
}
