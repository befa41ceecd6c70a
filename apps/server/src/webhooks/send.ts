import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import type { PinnedTarget } from './target-url.ts'

export interface SendResult {
  /** The HTTP status, or null when no response came (refused, reset, timed out). */
  status: number | null
  retryAfter: string | null
  /** The first bytes of the receiver's body, as text. */
  body: string
  error: string | null
  durationMs: number
}

const MAX_BODY_BYTES = 1024

/** A `lookup` that answers with the pinned address whatever it is asked: no second resolution. */
function pinnedLookup(target: PinnedTarget): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address: target.address, family: target.family }])
    else cb(null, target.address, target.family)
  }) as unknown as LookupFunction
}

/**
 * POSTs one webhook. The connection goes to the pinned address (TLS still checks the name),
 * redirects are not followed (a 3xx is just a failed attempt), no connection is reused, and the
 * whole exchange is cut at `timeoutMs`. Never throws.
 */
export function sendWebhook(
  target: PinnedTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<SendResult> {
  const started = performance.now()
  const lib = target.url.protocol === 'https:' ? https : http
  return new Promise((resolve) => {
    let settled = false
    const done = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...r, durationMs: Math.round(performance.now() - started) })
    }
    const req = lib.request(
      target.url,
      {
        method: 'POST',
        agent: false,
        lookup: pinnedLookup(target),
        headers: {
          ...headers,
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'humcli-webhooks/1',
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY_BYTES) chunks.push(c)
          size += c.length
          // Enough to show the receiver's answer; the rest is not worth waiting for.
          if (size >= MAX_BODY_BYTES) res.destroy()
        })
        const finish = () =>
          done({
            status: res.statusCode ?? null,
            retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : null,
            body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'),
            error: null,
          })
        res.on('end', finish)
        res.on('close', finish)
        res.on('error', finish)
      },
    )
    const timer = setTimeout(() => {
      done({ status: null, retryAfter: null, body: '', error: `timed out after ${timeoutMs} ms` })
      req.destroy()
    }, timeoutMs)
    req.on('error', (err: Error & { code?: string }) =>
      done({ status: null, retryAfter: null, body: '', error: err.code ?? err.message }),
    )
    req.end(body)
  })
}
