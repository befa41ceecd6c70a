import type { AccessToken } from '@humcli/contract'
import { createStore, type Store } from '../lib/store.ts'

/**
 * The one way the app talks to the server: `/api/v1` over fetch (XHR for uploads, which report
 * progress). Each kind of browser session (operator, staff) is one `sessionClient`: its access
 * token lives in memory only; its refresh cookie is httpOnly and sent to its own
 * `/api/v1/<kind>/session/*` alone, with the CSRF header (ADR 0015).
 */
export const API = '/api/v1'
const SESSION_HEADERS = { 'x-humcli-session': '1' }

/** An answer of the API that is an error: its code and sentence (`{error, code, details}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message)
  }
}

/** The request never reached the server (offline, DNS, connection refused). */
export class NetworkError extends Error {}

export type SessionState = 'unknown' | 'signed-in' | 'signed-out'

/** Whether the last call reached the server; false while it cannot be reached (the banner watches it). */
export const reachable = createStore(true)

/** fetch that records whether the server answered; NetworkError when it did not. */
export async function reach(input: string, init: RequestInit): Promise<Response> {
  try {
    const res = await fetch(input, init)
    reachable.set(true)
    return res
  } catch {
    reachable.set(false)
    throw new NetworkError('unreachable')
  }
}

export async function toApiError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as {
    error?: string
    code?: string
    details?: { path: string; message: string }[]
  } | null
  return new ApiError(
    res.status,
    body?.code ?? `HTTP_${res.status}`,
    body?.error ?? res.statusText,
    body?.details,
  )
}

export interface RequestOptions {
  json?: unknown
  query?: Record<string, string | number | undefined>
  headers?: Record<string, string>
  form?: FormData
}

function url(path: string, query?: RequestOptions['query']): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v))
  const qs = q.toString()
  return `${API}${path}${qs ? `?${qs}` : ''}`
}

/** One kind of browser session: sign in/out, refresh, and authorised calls of the API. */
export interface SessionClient {
  session: Store<SessionState>
  /** The session ended under the user (expired or revoked), not by signing out: the sign-in page says so. */
  ended: Store<boolean>
  signIn(body: Record<string, string>): Promise<void>
  signOut(): Promise<void>
  refresh(): Promise<boolean>
  authHeader(): Promise<Record<string, string>>
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T>
  /** Forgets the access token and marks the session signed out, without calling the server. */
  forget(): void
}

export function sessionClient(sessionPath: string, lockName: string): SessionClient {
  const session = createStore<SessionState>('unknown')
  const ended = createStore(false)
  let access: AccessToken | null = null
  let refreshing: Promise<boolean> | null = null

  /** A 401 the refresh could not cure: signed out, and told why if they were signed in. */
  function endSession() {
    if (session.get() === 'signed-in') ended.set(true)
    session.set('signed-out')
  }

  async function sessionCall(path: string, body?: unknown): Promise<Response> {
    return reach(`${API}${sessionPath}${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: body ? { ...SESSION_HEADERS, 'content-type': 'application/json' } : SESSION_HEADERS,
      body: body ? JSON.stringify(body) : undefined,
    })
  }

  /**
   * A new access token from the cookie. One refresh at a time, across tabs too (Web Locks): a
   * rotated token shown twice revokes the session.
   */
  function refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      const run = async () => {
        const res = await sessionCall('/refresh')
        if (!res.ok) {
          access = null
          if (res.status === 401 || res.status === 403) endSession()
          return false
        }
        access = (await res.json()) as AccessToken
        session.set('signed-in')
        return true
      }
      try {
        return navigator.locks ? await navigator.locks.request(lockName, run) : await run()
      } finally {
        refreshing = null
      }
    })()
    return refreshing
  }

  /** The bearer header, refreshed first when the token is about to expire. */
  async function authHeader(): Promise<Record<string, string>> {
    if (!access || new Date(access.expires_at).getTime() - Date.now() < 30_000) await refresh()
    return access ? { authorization: `Bearer ${access.token}` } : {}
  }

  async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { ...(await authHeader()), ...opts.headers }
    if (opts.json !== undefined) headers['content-type'] = 'application/json'
    return reach(url(path, opts.query), {
      method,
      headers,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.form,
    })
  }

  return {
    session,
    ended,
    refresh,
    authHeader,
    async signIn(body) {
      const res = await sessionCall('', body)
      if (!res.ok) throw await toApiError(res)
      access = (await res.json()) as AccessToken
      ended.set(false)
      session.set('signed-in')
    },
    async signOut() {
      access = null
      ended.set(false)
      await sessionCall('/logout').catch(() => {})
      session.set('signed-out')
    },
    forget() {
      access = null
      session.set('signed-out')
    },
    /** Calls the API as the signed-in user; a 401 refreshes once and retries. */
    async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
      let res = await send(method, path, opts)
      if (res.status === 401 && (await refresh())) res = await send(method, path, opts)
      if (res.status === 401) endSession()
      if (!res.ok) throw await toApiError(res)
      if (res.status === 204) return undefined as T
      return (await res.json()) as T
    },
  }
}

/** The operator's session (the operator pages). */
const operator = sessionClient('/operator/session', 'humcli-refresh')
export const session = operator.session
export const sessionEnded = operator.ended
export const signIn = (email: string, password: string) => operator.signIn({ email, password })
export const signOut = operator.signOut
export const refresh = operator.refresh
export const authHeader = operator.authHeader
export const request = operator.request

/** An anonymous call (registration). */
export async function anonymous<T>(method: string, path: string, json: unknown): Promise<T> {
  const res = await reach(url(path), {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(json),
  })
  if (!res.ok) throw await toApiError(res)
  return (await res.json()) as T
}
