import { createHmac, timingSafeEqual } from 'node:crypto'
import { WebhookVerificationError } from './errors.ts'

export type WebhookHeaders =
  | Headers
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null }

export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now (default 300 s), against replays. */
  toleranceSec?: number
  /** The current time in ms (default `Date.now()`). */
  now?: number
}

function header(headers: WebhookHeaders, name: string): string | null {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name)
  const record = headers as Record<string, string | string[] | undefined>
  const key = Object.keys(record).find((k) => k.toLowerCase() === name)
  const value = key === undefined ? undefined : record[key]
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null)
}

/** Constant-time comparison of two strings (false at once when the lengths differ, which is public). */
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The HMAC key of a secret: the base64 part of a `whsec_` secret, else the secret's UTF-8 bytes. */
function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8')
}

function verifyStandard(
  body: Buffer,
  headers: WebhookHeaders,
  secrets: string[],
  opts: VerifyWebhookOptions,
): void {
  const id = header(headers, 'webhook-id')
  const timestamp = header(headers, 'webhook-timestamp')
  const signatures = header(headers, 'webhook-signature') ?? ''
  if (!id || !timestamp || !/^\d+$/.test(timestamp)) {
    throw new WebhookVerificationError('Missing or malformed webhook-id / webhook-timestamp header.')
  }
  const now = Math.floor((opts.now ?? Date.now()) / 1000)
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSec ?? 300)) {
    throw new WebhookVerificationError(
      'The webhook-timestamp is outside the tolerance window: a replay, or a clock far off.',
    )
  }
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body])
  const expected = secrets.map((s) => createHmac('sha256', keyOf(s)).update(signed).digest('base64'))
  const given = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => s.slice(3))
  // Every pair is compared (no early exit), so timing says nothing about which one matched.
  let ok = false
  for (const g of given) for (const e of expected) ok = safeEqual(g, e) || ok
  if (!ok) throw new WebhookVerificationError('No webhook-signature matches the secret.')
}

function verifyCompat(body: Buffer, signature: string, secrets: string[]): void {
  let ok = false
  for (const s of secrets) {
    ok = safeEqual(signature.toLowerCase(), createHmac('sha256', s).update(body).digest('hex')) || ok
  }
  if (!ok) throw new WebhookVerificationError('The X-Signature does not match the callback secret.')
}

/**
 * Checks that a webhook came from your humcli server, and returns its parsed JSON body.
 *
 * Pass the raw body exactly as received (before any JSON parsing) and the request headers.
 * Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), sent on
 * every delivery, are checked first: any `v1,` signature under any of the given secrets (during
 * a rotation both secrets sign), with a timestamp within 5 minutes. Without them the compat
 * `X-Signature` (hex HMAC-SHA256 of the raw body under the task's `callback_secret`) is checked.
 * Throws `WebhookVerificationError` when nothing matches.
 */
export function verifyWebhook<T = unknown>(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | string[],
  options: VerifyWebhookOptions = {},
): T {
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody)
  const secrets = (Array.isArray(secret) ? secret : [secret]).filter((s) => s.length > 0)
  if (secrets.length === 0) throw new WebhookVerificationError('No webhook secret was given.')
  if (header(headers, 'webhook-signature') !== null) verifyStandard(body, headers, secrets, options)
  else {
    const signature = header(headers, 'x-signature')
    if (!signature) {
      throw new WebhookVerificationError('The request carries no webhook-signature or X-Signature header.')
    }
    verifyCompat(body, signature, secrets)
  }
  try {
    return JSON.parse(body.toString('utf8')) as T
  } catch {
    throw new WebhookVerificationError('The webhook body is signed but is not JSON.')
  }
}
