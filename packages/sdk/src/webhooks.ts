import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
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

const utf8 = (text: string) => new TextEncoder().encode(text)

function fromBase64(text: string): Uint8Array {
  const bin = atob(text)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

function toBase64(bytes: Uint8Array): string {
  let bin = ''
  for (const b of bytes) bin += String.fromCharCode(b)
  return btoa(bin)
}

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/** Constant-time comparison of two strings (false at once when the lengths differ, which is public). */
function safeEqual(a: string, b: string): boolean {
  const x = utf8(a)
  const y = utf8(b)
  if (x.length !== y.length) return false
  let diff = 0
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!
  return diff === 0
}

/** The HMAC key of a secret: the base64 part of a `whsec_` secret, else the secret's UTF-8 bytes. */
function keyOf(secret: string): Uint8Array {
  if (!secret.startsWith('whsec_')) return utf8(secret)
  try {
    return fromBase64(secret.slice(6))
  } catch {
    throw new WebhookVerificationError('The whsec_ secret is not valid base64.')
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function verifyStandard(
  body: Uint8Array,
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
  const signed = concat(utf8(`${id}.${timestamp}.`), body)
  const expected = secrets.map((s) => toBase64(hmac(sha256, keyOf(s), signed)))
  const given = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => s.slice(3))
  // Every pair is compared (no early exit), so timing says nothing about which one matched.
  let ok = false
  for (const g of given) for (const e of expected) ok = safeEqual(g, e) || ok
  if (!ok) throw new WebhookVerificationError('No webhook-signature matches the secret.')
}

function verifyCompat(body: Uint8Array, signature: string, secrets: string[]): void {
  let ok = false
  for (const s of secrets) {
    ok = safeEqual(signature.toLowerCase(), toHex(hmac(sha256, utf8(s), body))) || ok
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
 *
 * Synchronous and runtime-neutral (Node, Deno, Bun, browsers): HMAC-SHA256 comes from
 * `@noble/hashes`, not `node:crypto`, so this keeps the signature it always had.
 */
export function verifyWebhook<T = unknown>(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string | string[],
  options: VerifyWebhookOptions = {},
): T {
  const body = typeof rawBody === 'string' ? utf8(rawBody) : new Uint8Array(rawBody)
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
    return JSON.parse(new TextDecoder().decode(body)) as T
  } catch {
    throw new WebhookVerificationError('The webhook body is signed but is not JSON.')
  }
}
