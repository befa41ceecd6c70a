import { lookup as dnsLookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { Config } from '../config.ts'
import { addressAllowed, hostClass } from '../domain/address-policy.ts'
import { invalid } from '../domain/errors.ts'

/** Resolves a host name to every address it has (injectable, so tests can play a hostile DNS). */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>

export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true })

/** A delivery target that passed the guard: the address is what the connection must use. */
export interface PinnedTarget {
  url: URL
  address: string
  family: 4 | 6
}

export class TargetRefused extends Error {
  override name = 'TargetRefused'
}

export { hostClass } from '../domain/address-policy.ts'

type Env = Pick<Config, 'env'>

/**
 * Parses a webhook URL and applies the rules that need no DNS: absolute http(s), https outside
 * development (and in development unless the host is loopback), no credentials in the URL, and
 * no literal or well-known non-public host. WHATWG URL parsing already turns odd IPv4 spellings
 * (2130706433, 0177.0.0.1, 0x7f000001, 127.1) into dotted form, so they are judged as what they are.
 */
export function parseTargetUrl(raw: string, env: Env): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TargetRefused('is not a valid absolute URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused('must use https')
  if (url.username || url.password) throw new TargetRefused('must not contain a user name or password')
  const cls = hostClass(url)
  const dev = env.env === 'development'
  if (cls === 'private' || (cls === 'loopback' && !dev)) {
    throw new TargetRefused('points at a private, loopback, link-local or metadata address')
  }
  if (url.protocol === 'http:' && !(dev && cls === 'loopback')) {
    throw new TargetRefused(
      dev ? 'must use https (http is allowed only to localhost in development mode)' : 'must use https',
    )
  }
  return url
}

/**
 * The full guard, run again before every delivery: parse, resolve, refuse if ANY address is not
 * allowed (a name with one public and one private answer is a rebinding trick), then pin the
 * first address so the connection goes exactly where the check looked.
 */
export async function resolveTarget(
  raw: string,
  env: Env,
  resolve: Resolver = systemResolver,
): Promise<PinnedTarget> {
  const url = parseTargetUrl(raw, env)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const answers = isIP(host)
    ? [{ address: host, family: isIP(host) }]
    : host === 'localhost' || host.endsWith('.localhost')
      ? [{ address: '127.0.0.1', family: 4 }]
      : await resolve(host).catch((err: Error & { code?: string }) => {
          throw new TargetRefused(`host did not resolve (${err.code ?? 'DNS error'})`)
        })
  if (answers.length === 0) throw new TargetRefused('host did not resolve')
  for (const a of answers) {
    if (!addressAllowed(a.address, env.env)) {
      throw new TargetRefused('resolves to a private, loopback, link-local or metadata address')
    }
  }
  const first = answers[0]!
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 }
}

/**
 * Registration-time check for `callback_url` and webhook endpoint URLs. A name that does not
 * resolve right now is accepted (DNS may be down for a moment); delivery checks again anyway.
 */
export async function checkTargetUrl(
  raw: string,
  env: Env,
  field: string,
  resolve: Resolver = systemResolver,
): Promise<void> {
  try {
    await resolveTarget(raw, env, resolve)
  } catch (err) {
    if (!(err instanceof TargetRefused)) throw err
    if (err.message.startsWith('host did not resolve')) return
    throw invalid(field, `\`${field}\` ${err.message}.`)
  }
}
