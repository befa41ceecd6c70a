import { decodeJwt } from 'jose'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { verifyExternalToken } from './external-tokens.ts'
import { provisionExternalOperator } from './provision-external-operator.ts'
import { OPERATOR_TOKEN_ISSUER, verifyOperatorToken } from './tokens.ts'

const INVALID = 'The operator token is invalid or expired: log in again with POST /api/v1/operator/login.'

/**
 * Which verifier a token goes to, read from its unverified `iss` claim. Reading it decides
 * nothing else: each verifier checks the issuer again, with its own keys, so a token is never
 * accepted by the wrong one.
 */
function verifierFor(ctx: Ctx, token: string): 'own' | 'external' {
  let iss: unknown
  try {
    iss = decodeJwt(token).iss
  } catch {
    throw new DomainError('UNAUTHORIZED', INVALID)
  }
  if (iss === OPERATOR_TOKEN_ISSUER) return 'own'
  if (ctx.oidc && iss === ctx.oidc.issuer) return 'external'
  throw new DomainError(
    'UNAUTHORIZED',
    ctx.oidc
      ? `The operator token comes from an issuer this server does not accept: send a token from POST /api/v1/operator/login or one issued by ${ctx.oidc.issuer}.`
      : 'The operator token comes from an issuer this server does not accept: log in with POST /api/v1/operator/login and send the token it returns.',
  )
}

/**
 * The operator id of a bearer token: one this server issued, or one of the external OpenID issuer
 * (HUMCLI_OIDC_*), whose first use creates the operator. Throws 401, or 503 when the identity
 * provider's keys cannot be loaded.
 */
export async function authenticateOperatorToken(ctx: Ctx, token: string): Promise<string> {
  if (verifierFor(ctx, token) === 'own') return verifyOperatorToken(ctx, token)
  return provisionExternalOperator(ctx, await verifyExternalToken(ctx, token))
}

/** Whether a token is a valid operator token, without creating anyone (for wrong-role answers). */
export async function isLiveOperatorToken(ctx: Ctx, token: string): Promise<boolean> {
  try {
    if (verifierFor(ctx, token) === 'own') await verifyOperatorToken(ctx, token)
    else await verifyExternalToken(ctx, token)
    return true
  } catch {
    return false
  }
}
