import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { isUniqueViolation } from '../store/tx.ts'
import type { ExternalIdentity } from './external-tokens.ts'
import { initialKycStatus } from './register.ts'

/** Past this many entries the subject cache starts over rather than grow without bound. */
const SUBJECT_CACHE_MAX = 10_000
const NAME_MAX = 200
const EMAIL_MAX = 254

/**
 * The operator a verified external identity belongs to, created on its first request
 * (just-in-time provisioning). `ctx.caches.externalSubjects` may hold the answer: a row's
 * `external_subject` is written once, when the row is created, and operators are never deleted,
 * so a cached subject → id pair never goes stale.
 */
export async function provisionExternalOperator(ctx: Ctx, identity: ExternalIdentity): Promise<string> {
  const cache = ctx.caches.externalSubjects
  const cached = cache.get(identity.subject)
  if (cached) return cached
  const id = (await operatorBySubject(ctx, identity.subject)) ?? (await createOperator(ctx, identity))
  if (cache.size >= SUBJECT_CACHE_MAX) cache.clear()
  cache.set(identity.subject, id)
  return id
}

async function operatorBySubject(ctx: Ctx, subject: string): Promise<string | null> {
  const row = await ctx.store.db
    .selectFrom('operators')
    .select('id')
    .where('external_subject', '=', subject)
    .executeTakeFirst()
  return row?.id ?? null
}

function checkedEmail(identity: ExternalIdentity): string {
  if (!identity.email) {
    throw new DomainError(
      'FORBIDDEN',
      'The identity provider\'s token has no "email" claim, and a new operator account needs an email address: configure the identity provider to include the user\'s email in its tokens (for Clerk, in the session token or JWT template).',
    )
  }
  if (identity.emailVerified === false) {
    throw new DomainError(
      'FORBIDDEN',
      'The identity provider says the email address in the token is not verified: verify it with the identity provider, then sign in again.',
    )
  }
  const email = identity.email.toLowerCase()
  if (email.length > EMAIL_MAX || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw new DomainError(
      'FORBIDDEN',
      'The "email" claim of the identity provider\'s token is not a valid email address: correct the user\'s email with the identity provider, then sign in again.',
    )
  }
  return email
}

async function createOperator(ctx: Ctx, identity: ExternalIdentity): Promise<string> {
  const email = checkedEmail(identity)
  const id = newId('op')
  try {
    await ctx.store.db
      .insertInto('operators')
      .values({
        id,
        // Never the email as a fallback: an operator's name is shown to the agents it works for.
        name: (identity.name ?? 'Operator').slice(0, NAME_MAX),
        email,
        // No password: this account can only sign in through the identity provider.
        password_hash: null,
        external_subject: identity.subject,
        phone: null,
        city: null,
        country: null,
        skills: JSON.stringify([]),
        kyc_status: initialKycStatus(ctx.config),
        wallet_address: null,
        releases: 0n,
        created_at: iso(ctx.clock.now()),
      })
      .execute()
    ctx.log.info({ operatorId: id, subject: identity.subject }, 'operator created from an external identity')
    return id
  } catch (err) {
    if (!isUniqueViolation(err)) throw err
  }
  // A concurrent first request of the same user created the row first, or the email is taken.
  const winner = await operatorBySubject(ctx, identity.subject)
  if (winner) return winner
  throw await emailTaken(ctx, email)
}

/**
 * The email belongs to another account. It is never linked to this identity: whoever controls the
 * identity provider's account would take over the existing operator, its earnings and payouts.
 */
async function emailTaken(ctx: Ctx, email: string): Promise<DomainError> {
  const other = await ctx.store.db
    .selectFrom('operators')
    .select('external_subject')
    .where('email', '=', email)
    .executeTakeFirst()
  return new DomainError(
    'CONFLICT',
    other?.external_subject
      ? "The email address in the identity provider's token already belongs to another operator account from an identity provider: sign in with that account, or use a different email address."
      : "The email address in the identity provider's token is already registered for an operator who logs in with a password: log in with POST /api/v1/operator/login instead, or use a different email address with the identity provider.",
  )
}
