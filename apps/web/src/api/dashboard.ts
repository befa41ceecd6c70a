import type {
  AccessToken,
  AgentProfile,
  ApiKeyList,
  ApprovedEstimate,
  BindWalletBody,
  BoundWalletReply,
  CancelledTask,
  CreateWebhookBody,
  DepositAddressReply,
  LedgerPage,
  NewApiKey,
  RejectedEstimate,
  RevokedKey,
  Task,
  TaskPage,
  WalletChallengeReply,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointList,
} from '@humcli/contract'
import type { TaskStatus } from '@humcli/contract/enums'
import { createStore } from '../lib/store.ts'
import { API, NetworkError, toApiError } from './client.ts'

/**
 * The agent dashboard's calls. Its browser session is its own (kind `agent`, ADR 0015): a
 * refresh cookie sent to `/api/v1/dashboard/session/*` only, and a short-lived `hagt_` access
 * token kept in this module's memory, which every agent endpoint accepts as a bearer token.
 */
const SESSION = `${API}/dashboard/session`
const SESSION_HEADERS = { 'x-humcli-session': '1' }

export type AgentSessionState = 'unknown' | 'signed-in' | 'signed-out'
export const agentSession = createStore<AgentSessionState>('unknown')
/** Why the last session ended when the agent did not sign out: shown on the sign-in page. */
export const sessionEnded = createStore<'expired' | null>(null)

let access: AccessToken | null = null
let refreshing: Promise<boolean> | null = null

async function sessionCall(path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(`${SESSION}${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: body ? { ...SESSION_HEADERS, 'content-type': 'application/json' } : SESSION_HEADERS,
      body: body ? JSON.stringify(body) : undefined,
    })
  } catch {
    throw new NetworkError('unreachable')
  }
}

async function open(body: { token: string } | { api_key: string }): Promise<void> {
  const res = await sessionCall('', body)
  if (!res.ok) throw await toApiError(res)
  access = (await res.json()) as AccessToken
  sessionEnded.set(null)
  agentSession.set('signed-in')
}

/** Signs in with the token of an emailed login link (it works once). */
export const signInWithLink = (token: string) => open({ token })
/** Signs in with a pasted API key. */
export const signInWithKey = (apiKey: string) => open({ api_key: apiKey.trim() })

export async function requestLoginLink(email: string): Promise<{ message: string }> {
  let res: Response
  try {
    res = await fetch(`${API}/dashboard/login-link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    })
  } catch {
    throw new NetworkError('unreachable')
  }
  if (!res.ok) throw await toApiError(res)
  return (await res.json()) as { message: string }
}

export async function signOutAgent(): Promise<void> {
  access = null
  await sessionCall('/logout').catch(() => {})
  sessionEnded.set(null)
  agentSession.set('signed-out')
}

function ended(): void {
  access = null
  if (agentSession.get() === 'signed-in') sessionEnded.set('expired')
  agentSession.set('signed-out')
}

/** A new access token from the refresh cookie; one at a time, across tabs (Web Locks). */
export function refreshAgent(): Promise<boolean> {
  refreshing ??= (async () => {
    const run = async () => {
      const res = await sessionCall('/refresh')
      if (!res.ok) {
        if (res.status === 401 || res.status === 403) ended()
        else access = null
        return false
      }
      access = (await res.json()) as AccessToken
      agentSession.set('signed-in')
      return true
    }
    try {
      return navigator.locks ? await navigator.locks.request('humcli-agent-refresh', run) : await run()
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

interface Options {
  json?: unknown
  query?: Record<string, string | number | undefined>
  idempotent?: boolean
}

function url(path: string, query?: Options['query']): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v))
  const qs = q.toString()
  return `${API}${path}${qs ? `?${qs}` : ''}`
}

async function send(method: string, path: string, opts: Options, key: string | undefined) {
  if (!access || new Date(access.expires_at).getTime() - Date.now() < 30_000) await refreshAgent()
  const headers: Record<string, string> = access ? { authorization: `Bearer ${access.token}` } : {}
  if (opts.json !== undefined) headers['content-type'] = 'application/json'
  if (key) headers['idempotency-key'] = key
  try {
    return await fetch(url(path, opts.query), {
      method,
      headers,
      body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
    })
  } catch {
    throw new NetworkError('unreachable')
  }
}

/** Calls the API as the signed-in agent; a 401 refreshes once and retries (with the same key). */
async function call<T>(method: string, path: string, opts: Options = {}): Promise<T> {
  const key = opts.idempotent ? crypto.randomUUID() : undefined
  let res = await send(method, path, opts, key)
  if (res.status === 401 && (await refreshAgent())) res = await send(method, path, opts, key)
  if (res.status === 401) ended()
  if (!res.ok) throw await toApiError(res)
  return (await res.json()) as T
}

const id = (s: string) => encodeURIComponent(s)

export type { AgentProfile, Task, WebhookDelivery, WebhookEndpoint }
export type TaskQuery = { status?: TaskStatus; limit?: number; offset?: number }

export const me = () => call<AgentProfile>('GET', '/agents/me')
export const ledger = (q: { limit: number; offset: number }) =>
  call<LedgerPage>('GET', '/agents/transactions', { query: q })

export const tasks = (q: TaskQuery) => call<TaskPage>('GET', '/tasks', { query: q })
export const task = (taskId: string) => call<Task>('GET', `/tasks/${id(taskId)}`)
export const approveEstimate = (taskId: string) =>
  call<ApprovedEstimate>('POST', `/tasks/${id(taskId)}/estimate/approve`)
export const rejectEstimate = (taskId: string, reason: string) =>
  call<RejectedEstimate>('POST', `/tasks/${id(taskId)}/estimate/reject`, { json: { reason } })
export const verify = (taskId: string, decision: 'APPROVE' | 'REJECT', reason?: string) =>
  call<Task>('POST', `/tasks/${id(taskId)}/verify`, {
    json: reason ? { decision, reason } : { decision },
    idempotent: true,
  })
export const cancel = (taskId: string, reason?: string) =>
  call<CancelledTask>('POST', `/tasks/${id(taskId)}/cancel`, {
    json: reason ? { reason } : {},
    idempotent: true,
  })

export const keys = () => call<ApiKeyList>('GET', '/agents/keys')
export const createKey = (name: string) => call<NewApiKey>('POST', '/agents/keys', { json: { name } })
export const revokeKey = (keyId: string) => call<RevokedKey>('DELETE', `/agents/keys/${id(keyId)}`)

export const webhooks = () => call<WebhookEndpointList>('GET', '/webhooks')
export const createWebhook = (body: CreateWebhookBody) =>
  call<WebhookEndpoint>('POST', '/webhooks', { json: body })
export const deleteWebhook = (endpointId: string) =>
  call<{ id: string; deleted: true }>('DELETE', `/webhooks/${id(endpointId)}`)
export const deliveries = (endpointId: string, q: { limit: number; offset: number }) =>
  call<WebhookDeliveryPage>('GET', `/webhooks/${id(endpointId)}/deliveries`, { query: q })
export const redeliver = (deliveryId: string) =>
  call<WebhookDelivery>('POST', `/webhooks/deliveries/${id(deliveryId)}/redeliver`)
export const rotateSecret = (endpointId: string) =>
  call<WebhookEndpoint>('POST', `/webhooks/${id(endpointId)}/rotate-secret`)
export const ping = (endpointId: string) => call<WebhookDelivery>('POST', `/webhooks/${id(endpointId)}/test`)

export const walletChallenge = () => call<WalletChallengeReply>('POST', '/agents/wallet/challenge')
export const bindWallet = (body: BindWalletBody) =>
  call<BoundWalletReply>('PUT', '/agents/wallet', { json: body })
export const depositAddress = () => call<DepositAddressReply>('GET', '/agents/deposit-address')
