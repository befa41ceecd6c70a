import { isIP } from 'node:net'
import type { Config } from '../config.ts'
import { invalid } from '../domain/errors.ts'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Registration-time check of a callback URL: https, or http to loopback in development. The full
 * SSRF guard (resolving names, refusing private ranges at delivery) belongs to webhook delivery.
 */
export function checkCallbackUrl(raw: string, config: Pick<Config, 'env'>): void {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw invalid('callback_url', '`callback_url` is not a valid absolute URL.')
  }
  const loopback =
    LOOPBACK_HOSTS.has(url.hostname) || (isIP(url.hostname) === 4 && url.hostname.startsWith('127.'))
  if (url.protocol === 'https:') return
  if (url.protocol === 'http:' && loopback && config.env === 'development') return
  throw invalid(
    'callback_url',
    config.env === 'development'
      ? '`callback_url` must use https (http is allowed only to localhost in development mode).'
      : '`callback_url` must use https.',
  )
}
