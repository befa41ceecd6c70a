import type {
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
import { anonymous, type RequestOptions, sessionClient } from './client.ts'

/**
 * The agent dashboard's calls. Its browser session is its own `sessionClient` (kind `agent`, ADR
 * 0015): a refresh cookie sent to `/api/v1/dashboard/session/*` only, and a short-lived `hagt_`
 * access token in memory, which every agent endpoint accepts as a bearer token.
 */
const agent = sessionClient('/dashboard/session', 'humcli-agent-refresh')
export const agentSession = agent.session
export const refreshAgent = agent.refresh

/** Why the last session ended when the agent did not sign out: shown on the sign-in page. */
export const sessionEnded = createStore<'expired' | null>(null)
let leaving = false
let was = agentSession.get()
agentSession.subscribe(() => {
  const now = agentSession.get()
  if (now === 'signed-in') sessionEnded.set(null)
  else if (now === 'signed-out' && was === 'signed-in' && !leaving) sessionEnded.set('expired')
  was = now
})

/** Signs in with the token of an emailed login link (it works once). */
export const signInWithLink = (token: string) => agent.signIn({ token })
/** Signs in with a pasted API key. */
export const signInWithKey = (apiKey: string) => agent.signIn({ api_key: apiKey.trim() })

export const requestLoginLink = (email: string) =>
  anonymous<{ message: string }>('POST', '/dashboard/login-link', { email })

export async function signOutAgent(): Promise<void> {
  leaving = true
  try {
    await agent.signOut()
  } finally {
    leaving = false
  }
}

/** An agent call; `idempotent` sends an `Idempotency-Key`, the same on the retry after a refresh. */
function call<T>(
  method: string,
  path: string,
  opts: Omit<RequestOptions, 'headers'> & { idempotent?: boolean } = {},
): Promise<T> {
  const { idempotent, ...rest } = opts
  return agent.request<T>(method, path, {
    ...rest,
    ...(idempotent ? { headers: { 'idempotency-key': crypto.randomUUID() } } : {}),
  })
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
