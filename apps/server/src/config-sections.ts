import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Config } from './config.ts'
import { bool, ConfigError, type Env } from './config-read.ts'
import { hostClass } from './domain/address-policy.ts'

/**
 * The settings of optional services, read only when they are turned on, and the checks that need
 * the whole `Config`: S3-compatible file storage and an external OpenID issuer.
 */

export interface S3Config {
  /** null = AWS itself (the region's endpoint). */
  endpoint: string | null
  bucket: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  forcePathStyle: boolean
  /** Prepended to every key, without a trailing slash ('' = none). */
  prefix: string
}

/** An external OpenID issuer (e.g. Clerk) whose tokens operators may use: HUMCLI_OIDC_*. */
export interface OidcConfig {
  /** Where the issuer publishes its public signing keys, e.g. https://clerk.example.com/.well-known/jwks.json. */
  jwksUrl: string
  /** The exact `iss` claim of its tokens. */
  issuer: string
  /** The `aud` claim its tokens must carry to be accepted here. */
  audience: string
}

/** The HUMCLI_S3_* settings; only read when HUMCLI_BLOB_STORE=s3. Checked by `checkS3`. */
export function s3Config(env: Env): S3Config {
  const endpoint = env.HUMCLI_S3_ENDPOINT || null
  if (endpoint && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new ConfigError(
      `HUMCLI_S3_ENDPOINT must be an http(s) URL such as http://127.0.0.1:9000, got "${endpoint}".`,
    )
  }
  return {
    endpoint,
    bucket: env.HUMCLI_S3_BUCKET || '',
    region: env.HUMCLI_S3_REGION || 'us-east-1',
    accessKeyId: env.HUMCLI_S3_ACCESS_KEY_ID || '',
    secretAccessKey: env.HUMCLI_S3_SECRET_ACCESS_KEY || '',
    // Self-hosted S3-compatible servers rarely have wildcard DNS for bucket subdomains.
    forcePathStyle: bool(env, 'HUMCLI_S3_FORCE_PATH_STYLE', endpoint !== null),
    prefix: (env.HUMCLI_S3_PREFIX || '').replace(/^\/+|\/+$/g, ''),
  }
}

export function checkS3(config: Config): void {
  if (config.blobStore !== 's3') return
  const missing = [
    !config.s3?.bucket && 'HUMCLI_S3_BUCKET',
    !config.s3?.accessKeyId && 'HUMCLI_S3_ACCESS_KEY_ID',
    !config.s3?.secretAccessKey && 'HUMCLI_S3_SECRET_ACCESS_KEY',
  ].filter(Boolean)
  if (missing.length > 0) {
    throw new ConfigError(
      `HUMCLI_BLOB_STORE=s3 needs ${missing.join(', ')}: set the bucket and its access key ` +
        '(and HUMCLI_S3_ENDPOINT for a store other than AWS), or unset HUMCLI_BLOB_STORE to keep files on local disk.',
    )
  }
}

const OIDC_VARS = ['HUMCLI_OIDC_JWKS_URL', 'HUMCLI_OIDC_ISSUER', 'HUMCLI_OIDC_AUDIENCE'] as const

/** The HUMCLI_OIDC_* settings: all three or none (off). Checked further by `checkOidc`. */
export function oidcConfig(env: Env): OidcConfig | null {
  const missing = OIDC_VARS.filter((name) => !env[name])
  if (missing.length === OIDC_VARS.length) return null
  if (missing.length > 0) {
    const one = missing.length === 1
    throw new ConfigError(
      `${OIDC_VARS.join(', ')} go together, but ${missing.join(' and ')} ${one ? 'is' : 'are'} not set: ` +
        `set ${one ? 'it' : 'them'} to accept operator tokens from an external OpenID issuer, ` +
        "or unset all three to accept only the server's own operator tokens.",
    )
  }
  return {
    jwksUrl: env.HUMCLI_OIDC_JWKS_URL!,
    issuer: env.HUMCLI_OIDC_ISSUER!,
    audience: env.HUMCLI_OIDC_AUDIENCE!,
  }
}

/**
 * The JWKS URL must be https; plain http only to localhost in development, the rule callback
 * URLs follow (`parseTargetUrl`). Private hosts are allowed: the operator of the server chose the
 * issuer, and a self-hosted one often lives on an internal network.
 */
export function checkOidc(config: Config): void {
  if (!config.oidc) return
  const { jwksUrl, issuer } = config.oidc
  let url: URL
  try {
    url = new URL(jwksUrl)
  } catch {
    throw new ConfigError(
      `HUMCLI_OIDC_JWKS_URL must be an absolute URL such as https://clerk.example.com/.well-known/jwks.json, got "${jwksUrl}".`,
    )
  }
  const loopback = hostClass(url) === 'loopback'
  const dev = config.env === 'development'
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && dev && loopback)) {
    throw new ConfigError(
      `HUMCLI_OIDC_JWKS_URL must use https (${dev ? 'http is allowed only to localhost in development mode' : 'http is refused when HUMCLI_ENV=production'}), got "${jwksUrl}".`,
    )
  }
  // `issueOperatorToken` signs the server's own tokens with issuer "humcli"; the two must never mix.
  if (issuer === 'humcli') {
    throw new ConfigError(
      'HUMCLI_OIDC_ISSUER must not be "humcli", the issuer of the server\'s own operator tokens: set it to the `iss` claim of the external issuer\'s tokens.',
    )
  }
}

/**
 * HUMCLI_WEB_DIR: the folder of the built web app served at `/`; `off` serves none. By default
 * `apps/web/dist` of this checkout (the same relative path from `src/` and from `dist/`).
 */
export function webDir(env: Env): string | null {
  const value = env.HUMCLI_WEB_DIR
  if (value === 'off') return null
  if (value) return path.resolve(value)
  return fileURLToPath(new URL('../../web/dist', import.meta.url))
}
