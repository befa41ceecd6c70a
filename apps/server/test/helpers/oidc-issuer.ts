import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import type { OidcConfig } from '../../src/config.ts'

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']

/** Which key signs: the two the JWKS publishes, or one it does not. */
export type SigningKey = 'rs256' | 'es256' | 'stranger'

export interface SignOptions {
  key?: SigningKey
  /** The `kid` header; defaults to the signing key's own (the stranger's is not in the JWKS). */
  kid?: string
  /** Token lifetime from `now`, in seconds (negative = already expired; null = no `exp`). */
  ttlS?: number | null
}

/**
 * A real local HTTP server standing in for an OpenID provider such as Clerk: it serves a JWKS with
 * an RS256 and an ES256 key (each with a `kid`) and signs tokens with them.
 */
export interface TestIssuer {
  /** The `iss` claim of its tokens (an identifier, not the JWKS address). */
  issuer: string
  audience: string
  jwksUrl: string
  /** HUMCLI_OIDC_* for this issuer, as a `Config.oidc` override. */
  oidc: OidcConfig
  /** How many times the JWKS was fetched. */
  fetches: number
  /** What the JWKS endpoint answers; default 200 with the key set. */
  status: number
  /**
   * A token for `sub` ('' = none) at the time `now` (the server's clock), with default email and
   * name claims; `claims` override them and `iss` / `aud` (an `undefined` value drops a claim).
   */
  sign(sub: string, now: Date, claims?: JWTPayload, opts?: SignOptions): Promise<string>
  close(): Promise<void>
}

async function keyPair(alg: 'RS256' | 'ES256', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg)
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

export async function startTestIssuer(issuer = 'https://idp.humcli.test'): Promise<TestIssuer> {
  const keys: Record<SigningKey, { alg: string; kid: string; privateKey: Key; jwk: object }> = {
    rs256: await keyPair('RS256', 'rs-1'),
    es256: await keyPair('ES256', 'es-1'),
    stranger: await keyPair('RS256', 'stranger-1'),
  }
  const server = http.createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end()
      return
    }
    idp.fetches++
    if (idp.status !== 200) {
      res.writeHead(idp.status, { 'content-type': 'text/plain' }).end('identity provider is down')
      return
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [keys.rs256.jwk, keys.es256.jwk] }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
  const audience = 'humcli-test-audience'
  const idp: TestIssuer = {
    issuer,
    audience,
    jwksUrl,
    oidc: { jwksUrl, issuer, audience },
    fetches: 0,
    status: 200,
    async sign(sub, now, claims = {}, opts = {}) {
      const k = keys[opts.key ?? 'rs256']
      const iat = Math.floor(now.getTime() / 1000)
      const jwt = new SignJWT({ email: `${sub}@example.com`, name: `User ${sub}`, ...claims })
        .setProtectedHeader({ alg: k.alg, kid: opts.kid ?? k.kid })
        .setIssuer(claims.iss ?? issuer)
        .setAudience(claims.aud ?? audience)
        .setIssuedAt(iat)
      if (opts.ttlS !== null) jwt.setExpirationTime(iat + (opts.ttlS ?? 60))
      return (sub === '' ? jwt : jwt.setSubject(sub)).sign(k.privateKey)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return idp
}
