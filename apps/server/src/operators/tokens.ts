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

/** Returns the operator id of a valid token, or throws 401. */
export async function verifyOperatorToken(ctx: Ctx, token: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, ctx.secrets.jwtPublicKey, {
      issuer: OPERATOR_TOKEN_ISSUER,
      audience: AUDIENCE,
      algorithms: ['EdDSA'],
      currentDate: ctx.clock.now(),
    })
    if (!payload.sub) throw new Error('no subject')
    return payload.sub
  } catch {
    throw new DomainError(
      'UNAUTHORIZED',
      'The operator token is invalid or expired: log in again with POST /api/v1/operator/login.',
    )
  }
}
