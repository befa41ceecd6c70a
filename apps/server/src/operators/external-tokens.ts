import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose'
import type { Config } from '../config.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'

/**
 * Public-key algorithms only. An HS* token is signed with a shared secret, so accepting one would
 * let anyone who guesses or learns a secret mint tokens; `none` is not signed at all.
 */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]

/** Seconds of clock difference tolerated between the identity provider and this server. */
const CLOCK_TOLERANCE_S = 5

/** The external OpenID issuer of a context (spec §2), with its key set. */
export interface OidcVerifier {
  issuer: string
  audience: string
  jwksUrl: string
  /** Fetched on first use, cached, and fetched again when a token names a key it does not hold. */
  keys: ReturnType<typeof createRemoteJWKSet>
}

export function createOidcVerifier(config: Pick<Config, 'oidc'>): OidcVerifier | null {
  if (!config.oidc) return null
  return { ...config.oidc, keys: createRemoteJWKSet(new URL(config.oidc.jwksUrl)) }
}

/** Who a valid external token names; nothing here is looked up in the database. */
export interface ExternalIdentity {
  /** `<issuer>|<sub>`: what `operators.external_subject` holds (a `sub` is unique only per issuer). */
  subject: string
  email: string | null
  /** The `email_verified` claim when the token has one. */
  emailVerified: boolean | null
  name: string | null
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null)

function identityOf(issuer: string, payload: JWTPayload): ExternalIdentity {
  const sub = text(payload.sub)
  if (!sub) {
    throw new DomainError(
      'UNAUTHORIZED',
      'The identity provider\'s token has no "sub" claim, so it names no user: send the token the identity provider issues when a user signs in.',
    )
  }
  const given = [text(payload.given_name), text(payload.family_name)].filter(Boolean).join(' ')
  return {
    subject: `${issuer}|${sub}`,
    email: text(payload.email),
    emailVerified: typeof payload.email_verified === 'boolean' ? payload.email_verified : null,
    name: text(payload.name) ?? (given || null),
  }
}

/**
 * Verifies a token of the configured external issuer: signature by a key of its JWKS, a public-key
 * algorithm, issuer, audience and lifetime (against `ctx.clock`). Throws 401 for a bad token and
 * 503 when the key set cannot be loaded.
 */
export async function verifyExternalToken(ctx: Ctx, token: string): Promise<ExternalIdentity> {
  const oidc = ctx.oidc
  if (!oidc) throw new Error('verifyExternalToken without HUMCLI_OIDC_* settings')
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(token, oidc.keys, {
      issuer: oidc.issuer,
      audience: oidc.audience,
      algorithms: ALGORITHMS,
      currentDate: ctx.clock.now(),
      clockTolerance: CLOCK_TOLERANCE_S,
      // jose lets a token without `exp` live for ever; a provider's token must say when it ends.
      requiredClaims: ['exp'],
    }))
  } catch (err) {
    throw externalTokenError(ctx, oidc, err)
  }
  return identityOf(oidc.issuer, payload)
}

const signInAgain = 'sign in again with the identity provider and send the new token'

/** Whether an error means the key set could not be fetched or used, rather than a bad token. */
function keySetFailed(err: unknown): boolean {
  return (
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    // A non-200 answer or a body that is not JSON: plain JOSEError, no subclass.
    (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC') ||
    // fetch() itself failed: refused, reset, DNS, TLS.
    (err instanceof TypeError && err.message === 'fetch failed')
  )
}

function externalTokenError(ctx: Ctx, oidc: OidcVerifier, err: unknown): Error {
  if (keySetFailed(err)) {
    ctx.log.warn(
      { err, jwksUrl: oidc.jwksUrl },
      'the OpenID key set (HUMCLI_OIDC_JWKS_URL) could not be loaded',
    )
    return new DomainError(
      'UNAVAILABLE',
      'The identity provider could not be reached to check the operator token (its key set did not load): try again in a moment; if this persists, the server administrator should check HUMCLI_OIDC_JWKS_URL.',
    )
  }
  if (err instanceof errors.JWTExpired) {
    return new DomainError('UNAUTHORIZED', `The identity provider's token has expired: ${signInAgain}.`)
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    const why =
      err.claim === 'aud'
        ? `it is not meant for this server (its "aud" claim must be "${oidc.audience}")`
        : err.claim === 'iss'
          ? `it was not issued by ${oidc.issuer}`
          : err.claim === 'nbf'
            ? 'it is not valid yet'
            : `its "${err.claim}" claim is missing or not acceptable`
    return new DomainError(
      'UNAUTHORIZED',
      `The identity provider's token was refused because ${why}: ${signInAgain}.`,
    )
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new DomainError(
      'UNAUTHORIZED',
      `The operator token is signed with an algorithm this server does not accept: tokens must be signed with a public-key algorithm (${ALGORITHMS.join(', ')}).`,
    )
  }
  if (
    err instanceof errors.JWSSignatureVerificationFailed ||
    err instanceof errors.JWKSNoMatchingKey ||
    err instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return new DomainError(
      'UNAUTHORIZED',
      `The operator token's signature does not match any key the identity provider publishes: ${signInAgain}.`,
    )
  }
  if (err instanceof errors.JOSEError) {
    return new DomainError('UNAUTHORIZED', `The operator token is malformed or invalid: ${signInAgain}.`)
  }
  // Anything else comes from a key the provider publishes (an RSA key under 2048 bits, a key
  // usable only for encryption): the token cannot be trusted, and that is no crash of ours.
  ctx.log.warn(
    { err, jwksUrl: oidc.jwksUrl },
    'an operator token could not be checked with the OpenID key set',
  )
  return new DomainError(
    'UNAUTHORIZED',
    "The operator token could not be verified with the identity provider's published keys: sign in again with the identity provider; if this persists, the server administrator should check HUMCLI_OIDC_JWKS_URL.",
  )
}
