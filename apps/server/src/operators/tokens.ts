import { jwtVerify, SignJWT } from 'jose'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'

/** The `iss` of the tokens this server signs; HUMCLI_OIDC_ISSUER may not take it (`checkOidc`). */
export const OPERATOR_TOKEN_ISSUER = 'humcli'
const AUDIENCE = 'humcli:operator'

export async function issueOperatorToken(
  ctx: Ctx,
  operatorId: string,
): Promise<{ token: string; expires_at: string }> {
  const now = ctx.clock.now()
  const exp = Math.floor(now.getTime() / 1000) + ctx.config.operatorTokenTtlS
  const token = await new SignJWT({ role: 'operator' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject(operatorId)
    .setIssuer(OPERATOR_TOKEN_ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(exp)
    .sign(ctx.secrets.jwtPrivateKey)
  return { token, expires_at: new Date(exp * 1000).toISOString() }
}

/**
 * Returns the operator id of a valid token of an operator that exists, or throws 401. Every
 * claim we set is required (a token without `exp` would never expire), and the subject is read
 * from the database, so a token outlives neither its lifetime nor its operator.
 */
export async function verifyOperatorToken(ctx: Ctx, token: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, ctx.secrets.jwtPublicKey, {
      issuer: OPERATOR_TOKEN_ISSUER,
      audience: AUDIENCE,
      algorithms: ['EdDSA'],
      currentDate: ctx.clock.now(),
      requiredClaims: ['exp', 'iat', 'iss', 'aud', 'sub'],
      // Refuses an `iat` in the future as well as one older than any token we issue.
      maxTokenAge: ctx.config.operatorTokenTtlS,
    })
    const sub = payload.sub
    if (!sub) throw new Error('no subject')
    const live = await ctx.store.db
      .selectFrom('operators')
      .select('id')
      .where('id', '=', sub)
      .executeTakeFirst()
    if (!live) throw new Error('no such operator')
    return sub
  } catch {
    throw new DomainError(
      'UNAUTHORIZED',
      'The operator token is invalid or expired: log in again with POST /api/v1/operator/login.',
    )
  }
}
