import type { Config } from '../config.ts'
import { checkTargetUrl, type Resolver, systemResolver } from '../webhooks/target-url.ts'

/**
 * Registration-time check of a callback URL: https (http only to loopback in development), and
 * the SSRF guard of webhook delivery (no private, loopback, link-local or metadata targets).
 * Delivery runs the same guard again and pins the address it resolved.
 */
export function checkCallbackUrl(
  raw: string,
  config: Pick<Config, 'env'>,
  resolve: Resolver = systemResolver,
): Promise<void> {
  return checkTargetUrl(raw, config, 'callback_url', resolve)
}
