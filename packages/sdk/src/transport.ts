import { HumcliError, HumcliNetworkError, HumcliTimeoutError } from './errors.ts'

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8787'
const API_PREFIX = '/api/v1'

/** How failed idempotent calls are retried: exponential backoff with full jitter. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 turns retries off). */
  maxRetries?: number
  /** The first backoff ceiling; each retry doubles it (default 500 ms). */
  baseDelayMs?: number
  /** The largest backoff ceiling (default 20 s). */
  maxDelayMs?: number
  /** A `Retry-After` longer than this is not waited for: the error is thrown (default 60 s). */
  maxRetryAfterMs?: number
}

/** Time as the SDK sees it; replace it in tests to run backoff schedules without waiting. */
export interface Timers {
  now(): number
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  random(): number
}

export interface ClientOptions {
  /** The agent's API key (`ho_live_…`). Only `Humcli.register` works without one. */
  apiKey?: string
  /** An operator's or staff member's bearer token (`HumcliOperator`, `HumcliAdmin`). */
  token?: string
  /** Server address, with or without the `/api/v1` suffix (default http://127.0.0.1:8787). */
  baseUrl?: string
  /** A fetch implementation (default: the global fetch). */
  fetch?: typeof fetch
  /** Shorthand for `retry.maxRetries`. */
  maxRetries?: number
  retry?: RetryOptions
  /** Per-attempt time limit (default 30 s). */
  timeoutMs?: number
  userAgent?: string
  timers?: Partial<Timers>
}

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  query?: Record<string, string | number | undefined>
  /** JSON, or a `FormData` sent as multipart/form-data (proof photos, KYC documents). */
  body?: unknown
  /** Sent as `Idempotency-Key`; makes a POST safe to retry (the same key on every attempt). */
  idempotencyKey?: string
  /** A POST that changes nothing (reads a credential), so it may be retried too. */
  safe?: boolean
  auth?: boolean
  signal?: AbortSignal
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError')
}

export const realTimers: Timers = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal))
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      const onAbort = () => {
        clearTimeout(timer)
        reject(abortError(signal!))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
}

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000)
  const at = Date.parse(v)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** The base URL with `/api/v1`, once, and no trailing slash. */
export function apiRoot(baseUrl: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '')
  return trimmed.endsWith(API_PREFIX) ? trimmed : `${trimmed}${API_PREFIX}`
}

interface Envelope {
  error?: unknown
  code?: unknown
  request_id?: unknown
  details?: unknown
}

function apiError(res: Response, text: string, retryAfterMs: number | null): HumcliError {
  let env: Envelope | null = null
  try {
    env = JSON.parse(text) as Envelope
  } catch {
    // not our envelope (a proxy's HTML page, say)
  }
  const requestId =
    typeof env?.request_id === 'string' ? env.request_id : res.headers.get('x-request-id') || null
  if (env && typeof env.error === 'string') {
    return new HumcliError(env.error, {
      code: typeof env.code === 'string' ? env.code : `HTTP_${res.status}`,
      status: res.status,
      requestId,
      details: Array.isArray(env.details) ? (env.details as HumcliError['details']) : undefined,
      retryAfterMs,
    })
  }
  return new HumcliError(`The server answered HTTP ${res.status} without an API error body.`, {
    code: `HTTP_${res.status}`,
    status: res.status,
    requestId,
    retryAfterMs,
  })
}

const isRetryableStatus = (err: HumcliError) =>
  err.status === 429 || (err.status !== null && err.status >= 500) || err.code === 'IDEMPOTENCY_IN_FLIGHT'

/** Why fetch failed, in a few words (`connect ECONNREFUSED 127.0.0.1:8787`). */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause
  return cause?.message || cause?.code || (err instanceof Error ? err.message : String(err))
}

const isForm = (body: unknown): body is FormData =>
  typeof FormData !== 'undefined' && body instanceof FormData

/** Sends API calls: auth, JSON, the error envelope as `HumcliError`, retries for idempotent calls. */
export class Transport {
  readonly root: string
  private readonly fetchImpl: typeof fetch
  private readonly retry: Required<RetryOptions>
  private readonly timeoutMs: number
  readonly timers: Timers

  constructor(private readonly opts: ClientOptions) {
    this.root = apiRoot(opts.baseUrl ?? DEFAULT_BASE_URL)
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init))
    this.retry = {
      maxRetries: opts.maxRetries ?? opts.retry?.maxRetries ?? 3,
      baseDelayMs: opts.retry?.baseDelayMs ?? 500,
      maxDelayMs: opts.retry?.maxDelayMs ?? 20_000,
      maxRetryAfterMs: opts.retry?.maxRetryAfterMs ?? 60_000,
    }
    this.timeoutMs = opts.timeoutMs ?? 30_000
    this.timers = { ...realTimers, ...opts.timers }
  }

  get hasApiKey(): boolean {
    return Boolean(this.opts.apiKey)
  }

  /** The credential header: the API key (agents) or the bearer token (operators, staff). */
  private credential(): [string, string] {
    if (this.opts.token) return ['authorization', `Bearer ${this.opts.token}`]
    if (this.opts.apiKey) return ['x-api-key', this.opts.apiKey]
    throw new HumcliError(
      'No credential: pass `apiKey` (agents, keys start with ho_live_) or `token` (operators, staff) to the client.',
      { code: 'NO_API_KEY', status: null },
    )
  }

  async request<T>(call: Call): Promise<T> {
    // A PUT here uses up a single-use challenge, so it is not retried blindly either.
    const retryable =
      call.method === 'GET' ||
      call.method === 'DELETE' ||
      call.idempotencyKey !== undefined ||
      call.safe === true
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(call)
      } catch (err) {
        if (!(err instanceof HumcliError) || !retryable || attempt >= this.retry.maxRetries) throw err
        const transient = err.kind === 'network' || err.kind === 'timeout' || isRetryableStatus(err)
        if (!transient) throw err
        if (err.retryAfterMs !== null && err.retryAfterMs > this.retry.maxRetryAfterMs) throw err
        await this.timers.sleep(this.backoff(attempt, err.retryAfterMs), call.signal)
      }
    }
  }

  /** Full jitter: a random wait up to min(max, base × 2^attempt); never sooner than `Retry-After`. */
  private backoff(attempt: number, retryAfterMs: number | null): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt)
    const jittered = Math.floor(this.timers.random() * ceiling)
    return retryAfterMs === null ? jittered : Math.max(retryAfterMs, jittered)
  }

  private url(call: Call): string {
    const url = new URL(`${this.root}${call.path}`)
    for (const [k, v] of Object.entries(call.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v))
    }
    return url.toString()
  }

  private headers(call: Call): Record<string, string> {
    const h: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.opts.userAgent ?? 'humcli-sdk/0.1.0',
    }
    // A FormData body sets its own multipart content type, boundary included.
    if (call.body !== undefined && !isForm(call.body)) h['content-type'] = 'application/json'
    if (call.idempotencyKey !== undefined) h['idempotency-key'] = call.idempotencyKey
    if (call.auth !== false) {
      const [name, value] = this.credential()
      h[name] = value
    }
    return h
  }

  private async once<T>(call: Call): Promise<T> {
    const url = this.url(call)
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout
    let res: Response
    let text: string
    try {
      res = await this.fetchImpl(url, {
        method: call.method,
        headers: this.headers(call),
        body: call.body === undefined ? undefined : isForm(call.body) ? call.body : JSON.stringify(call.body),
        signal,
      })
      text = await res.text()
    } catch (err) {
      if (err instanceof HumcliError) throw err
      if (call.signal?.aborted) throw abortError(call.signal)
      if (timeout.aborted) {
        throw new HumcliTimeoutError(
          `No answer from the humcli API at ${this.root} within ${this.timeoutMs} ms.`,
          err,
        )
      }
      const reason = networkReason(err)
      throw new HumcliNetworkError(`Could not reach the humcli API at ${this.root} (${reason}).`, err, reason)
    }
    if (!res.ok) {
      throw apiError(res, text, parseRetryAfter(res.headers.get('retry-after'), this.timers.now()))
    }
    try {
      return (text === '' ? null : JSON.parse(text)) as T
    } catch (err) {
      throw new HumcliError(`The server at ${this.root} did not answer with JSON; is this a humcli API?`, {
        kind: 'invalid_response',
        code: 'INVALID_RESPONSE',
        status: res.status,
        requestId: res.headers.get('x-request-id'),
        cause: err,
      })
    }
  }
}
