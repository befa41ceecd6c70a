import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, RetryLaterError } from '../domain/errors.ts'
import { matchTotp } from '../domain/totp.ts'
import { verifyPassword } from '../operators/password.ts'
import { openTotpSecret } from './staff-secret.ts'

export interface StaffLoginInput {
  email: string
  password: string
  totp_code: string
}

const WRONG = 'Wrong email, password or code: check them and try again (codes change every 30 seconds).'

async function recentFailures(
  ctx: Ctx,
  email: string,
  now: Date,
): Promise<{ n: number; oldest: string | null }> {
  const since = iso(new Date(now.getTime() - ctx.config.staffLoginWindowMs))
  const r = await ctx.store.db
    .selectFrom('staff_login_failures')
    .select((eb) => [eb.fn.countAll<bigint>().as('n'), eb.fn.min('at').as('oldest')])
    .where('email', '=', email)
    .where('at', '>', since)
    .executeTakeFirstOrThrow()
  return { n: Number(r.n), oldest: (r.oldest as string | null) ?? null }
}

/** Every failure is a row (the rate limit counts them) and a warning in the log — never the password. */
async function fail(ctx: Ctx, email: string, ip: string, reason: string, now: Date): Promise<never> {
  await ctx.store.db
    .insertInto('staff_login_failures')
    .values({ email, ip, reason, at: iso(now) })
    .execute()
  ctx.log.warn({ email, ip, reason }, 'staff login failed')
  throw new DomainError('UNAUTHORIZED', WRONG)
}

/**
 * Checks a console sign-in (`POST /staff/session`): password and a current TOTP code, each code
 * good once; returns the staff user's id. After `staffLoginMaxFailures` failures for an email
 * within `staffLoginWindowMs`, further attempts are refused (429) until the oldest leaves the
 * window — whether or not the password is right.
 */
export async function checkStaffLogin(ctx: Ctx, input: StaffLoginInput, ip: string): Promise<string> {
  const email = input.email.trim().toLowerCase()
  const now = ctx.clock.now()
  const failures = await recentFailures(ctx, email, now)
  if (failures.n >= ctx.config.staffLoginMaxFailures) {
    const wait = new Date(failures.oldest!).getTime() + ctx.config.staffLoginWindowMs - now.getTime()
    ctx.log.warn({ email, ip }, 'staff login refused: too many failures')
    throw new RetryLaterError(
      `Too many failed logins for ${email}: try again in ${Math.ceil(wait / 60_000)} minute(s).`,
      Math.max(1, Math.ceil(wait / 1000)),
    )
  }
  const user = await ctx.store.db
    .selectFrom('staff_users')
    .selectAll()
    .where('email', '=', email)
    .executeTakeFirst()
  if (!user?.password_hash || user.disabled_at) return fail(ctx, email, ip, 'unknown or inactive user', now)
  if (!(await verifyPassword(input.password, user.password_hash)))
    return fail(ctx, email, ip, 'password', now)
  const step = matchTotp(openTotpSecret(ctx, user.id, user.totp_secret), input.totp_code, now)
  if (step === null) return fail(ctx, email, ip, 'totp code', now)
  // The step is compare-and-set: the same code cannot open two sessions.
  const used = await ctx.store.db
    .updateTable('staff_users')
    .set({ totp_last_step: BigInt(step) })
    .where('id', '=', user.id)
    .where('totp_last_step', '<', BigInt(step))
    .executeTakeFirst()
  if (used.numUpdatedRows === 0n) return fail(ctx, email, ip, 'totp code reused', now)
  ctx.log.info({ staff: user.id }, 'staff login')
  return user.id
}
