import { sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { RetryLaterError } from '../domain/errors.ts'

const WINDOW_MS = 60 * 60_000
const MAX_BACKOFF_S = 15 * 60

/** A login attempt: the account it names (normalised email, existing or not) and the client address. */
export interface LoginAttempt {
  email: string
  ip: string
}

/**
 * Refuses an attempt that must wait (429 with Retry-After), before any password is checked:
 * - per account and address, after `loginFreeFailures` failures in the hour, each further try
 *   waits 2^n seconds after the last failure (at most 15 minutes), so guessing from one place
 *   slows down exponentially while the account still works from everywhere else;
 * - per account, after `loginAccountFailuresPerHour` failures from all addresses together,
 *   addresses that never signed in to it are refused until the hour has passed; an address it
 *   signed in from before is exempt, so a distributed guess cannot lock its owner out.
 * The same for an email that has no account, so the answer does not tell which accounts exist.
 */
export async function checkLoginThrottle(ctx: Ctx, a: LoginAttempt): Promise<void> {
  const now = ctx.clock.now()
  const cutoff = iso(addMs(now, -WINDOW_MS))
  const db = ctx.store.db
  const pair = await db
    .selectFrom('login_throttle')
    .selectAll()
    .where('email', '=', a.email)
    .where('ip', '=', a.ip)
    .executeTakeFirst()
  const failures = pair && pair.window_started_at >= cutoff ? Number(pair.failures) : 0
  const free = ctx.config.loginFreeFailures
  if (failures >= free && pair?.last_failure_at) {
    const waitS = Math.min(2 ** (failures - free), MAX_BACKOFF_S)
    const left = Date.parse(pair.last_failure_at) + waitS * 1000 - now.getTime()
    if (left > 0) throttled(ctx, a, Math.ceil(left / 1000), 'address')
  }
  if (pair?.trusted_at) return
  const total = await db
    .selectFrom('login_throttle')
    .select([
      sql<string | number | bigint>`coalesce(sum(failures), 0)`.as('n'),
      sql<string | null>`min(window_started_at)`.as('oldest'),
    ])
    .where('email', '=', a.email)
    .where('window_started_at', '>=', cutoff)
    .executeTakeFirstOrThrow()
  if (Number(total.n) >= ctx.config.loginAccountFailuresPerHour && total.oldest) {
    const left = Date.parse(total.oldest) + WINDOW_MS - now.getTime()
    throttled(ctx, a, Math.max(1, Math.ceil(left / 1000)), 'account')
  }
}

function throttled(ctx: Ctx, a: LoginAttempt, retryAfterS: number, scope: 'address' | 'account'): never {
  ctx.log.warn(
    { login: { email: a.email, ip: a.ip, outcome: 'throttled', scope } },
    'operator login throttled',
  )
  throw new RetryLaterError(
    scope === 'address'
      ? `Too many failed logins to this account from your address: wait ${retryAfterS} s (Retry-After) and try again.`
      : `Too many failed logins to this account from new addresses: wait ${retryAfterS} s (Retry-After), or sign in from an address you used before.`,
    retryAfterS,
  )
}

/** Counts a failed attempt (one upsert; a count older than the hour starts again at 1). */
export async function recordLoginFailure(ctx: Ctx, a: LoginAttempt): Promise<void> {
  const now = iso(ctx.clock.now())
  const stale = sql<boolean>`${sql.ref('login_throttle.window_started_at')} < ${iso(addMs(ctx.clock.now(), -WINDOW_MS))}`
  await ctx.store.db
    .insertInto('login_throttle')
    .values({ ...a, failures: 1n, window_started_at: now, last_failure_at: now, trusted_at: null })
    .onConflict((oc) =>
      oc.columns(['email', 'ip']).doUpdateSet({
        failures: sql`case when ${stale} then 1 else ${sql.ref('login_throttle.failures')} + 1 end`,
        window_started_at: sql`case when ${stale} then ${now} else ${sql.ref('login_throttle.window_started_at')} end`,
        last_failure_at: now,
      }),
    )
    .execute()
  ctx.log.info({ login: { email: a.email, ip: a.ip, outcome: 'failure' } }, 'operator login failed')
}

/** A successful login clears the address's failures and trusts it for the account. */
export async function recordLoginSuccess(ctx: Ctx, a: LoginAttempt, operatorId: string): Promise<void> {
  const now = iso(ctx.clock.now())
  await ctx.store.db
    .insertInto('login_throttle')
    .values({ ...a, failures: 0n, window_started_at: now, last_failure_at: null, trusted_at: now })
    .onConflict((oc) =>
      oc
        .columns(['email', 'ip'])
        .doUpdateSet({ failures: 0n, window_started_at: now, last_failure_at: null, trusted_at: now }),
    )
    .execute()
  ctx.log.info(
    { login: { email: a.email, ip: a.ip, outcome: 'success', operator_id: operatorId } },
    'operator login',
  )
}
