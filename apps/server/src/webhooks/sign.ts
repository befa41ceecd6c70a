import { createHmac, randomBytes } from 'node:crypto'

/** Compat `X-Signature`: lowercase hex HMAC-SHA256 of the exact raw body under the task's callback secret. */
export function callbackSignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

/** The key bytes of a secret: the base64 part of a `whsec_` secret, else the secret's UTF-8 bytes. */
export function secretKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8')
}

/** One Standard Webhooks signature: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')
  return `v1,${mac}`
}

/** Standard Webhooks headers; during a rotation both secrets sign (space-separated, as the spec allows). */
export function standardHeaders(
  secrets: string[],
  id: string,
  at: Date,
  body: string,
): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000)
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => standardSignature(s, id, timestamp, body)).join(' '),
  }
}

export const newEndpointSecret = () => `whsec_${randomBytes(32).toString('base64')}`
