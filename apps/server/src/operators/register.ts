import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import type { TaskType } from '../domain/task-types.ts'
import { isUniqueViolation } from '../store/tx.ts'
import { checkLoginThrottle, recordLoginFailure, recordLoginSuccess } from './login-throttle.ts'
import { hashPassword, verifyPassword } from './password.ts'
import { issueOperatorToken } from './tokens.ts'

export interface RegisterOperatorInput {
  name: string
  email: string
  password: string
  phone?: string
  location?: { city?: string; country?: string }
  skills?: TaskType[]
}

/** KYC status of a new operator, however it signed up: approved at once in `auto` mode. */
export const initialKycStatus = (config: Pick<Ctx['config'], 'kycMode'>) =>
  config.kycMode === 'auto' ? 'APPROVED' : 'PENDING'

/** A well-formed scrypt hash no password matches (its stored key is 1 byte, a derived one 32). */
const NO_PASSWORD_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AA=='

export async function registerOperator(ctx: Ctx, input: RegisterOperatorInput) {
  if (input.password.length < 10) throw invalid('password', '`password` must be at least 10 characters.')
  const id = newId('op')
  const kyc = initialKycStatus(ctx.config)
  const email = input.email.trim().toLowerCase()
  try {
    await ctx.store.db
      .insertInto('operators')
      .values({
        id,
        name: input.name,
        email,
        password_hash: await hashPassword(input.password),
        external_subject: null,
        phone: input.phone ?? null,
        city: input.location?.city ?? null,
        country: input.location?.country ?? null,
        skills: JSON.stringify(input.skills ?? []),
        kyc_status: kyc,
        wallet_address: null,
        releases: 0n,
        created_at: iso(ctx.clock.now()),
      })
      .execute()
  } catch (err) {
    if (isUniqueViolation(err))
      throw new DomainError('CONFLICT', 'An operator with this email already exists; log in instead.')
    throw err
  }
  const { token, expires_at } = await issueOperatorToken(ctx, id)
  return { operator_id: id, name: input.name, kyc_status: kyc, token, expires_at }
}

export async function loginOperator(ctx: Ctx, input: { email: string; password: string }, ip: string) {
  return issueOperatorToken(ctx, await checkOperatorPassword(ctx, input, ip))
}

/**
 * The operator id of a right email and password; a 401 that does not say which was wrong.
 * Throttled per account and address (`login-throttle.ts`); every attempt is logged, never the password.
 */
export async function checkOperatorPassword(
  ctx: Ctx,
  input: { email: string; password: string },
  ip: string,
): Promise<string> {
  const attempt = { email: input.email.trim().toLowerCase(), ip }
  await checkLoginThrottle(ctx, attempt)
  const op = await ctx.store.db
    .selectFrom('operators')
    .select(['id', 'password_hash'])
    .where('email', '=', attempt.email)
    .executeTakeFirst()
  // Always run one scrypt so a missing account, or one without a password (it signs in through the
  // external identity provider, or is the sandbox operator), is not faster than a wrong password;
  // and answer all three alike, so the answer does not tell which accounts exist.
  const hash = op?.password_hash ?? null
  const ok = await verifyPassword(input.password, hash ?? NO_PASSWORD_HASH)
  if (!op || hash === null || !ok) {
    await recordLoginFailure(ctx, attempt)
    throw new DomainError('UNAUTHORIZED', 'Email or password is incorrect.')
  }
  await recordLoginSuccess(ctx, attempt, op.id)
  return op.id
}
