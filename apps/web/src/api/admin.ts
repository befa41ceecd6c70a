import type {
  AdminAgentDetail as AdminAgent,
  AdminHealth,
  AdminOperatorDetail as AdminOperator,
  AdminOperatorPage,
  AdminPayoutPage,
  AdminTask,
  AdminTaskPage,
  AgentRestriction,
  AgentTier,
  AuditPage,
  DailyStats,
  KycDecision,
  KycDocuments,
  QueueCounts,
  ReconciledPayout,
  ResolvedDispute,
  ReviewedTask,
  SearchResults as SearchResult,
  StaffActivated,
  StaffMe,
  StaffSetupInfo,
} from '@humcli/contract'
import { createStore } from '../lib/store.ts'
import { API, ApiError, anonymous, sessionClient } from './client.ts'

/**
 * The staff console's calls (`/api/v1/staff/*`, `/api/v1/admin/*`), typed by `@humcli/contract`.
 * Staff have their own browser session (kind `admin`, ADR 0014): a refresh cookie scoped to
 * `/api/v1/staff/session`, an `hstf_` access token in memory only.
 */
export const staff = sessionClient('/staff/session', 'humcli-staff-refresh')
const { request } = staff
const enc = encodeURIComponent

export type {
  AdminAgent,
  AdminHealth,
  AdminOperator,
  AdminTask,
  AuditPage,
  KycDocuments,
  QueueCounts,
  SearchResult,
  StaffMe,
  StaffSetupInfo,
}
export type AdminTaskSummary = AdminTaskPage['data'][number]
export type AdminOperatorSummary = AdminOperatorPage['data'][number]
export type AdminPayout = AdminPayoutPage['data'][number]
export type AuditEntry = AuditPage['data'][number]

/** Who is signed in (loaded after each sign-in); null until then. */
export const me = createStore<StaffMe | null>(null)
export async function loadMe(): Promise<StaffMe> {
  const m = await request<StaffMe>('GET', '/staff/me')
  me.set(m)
  return m
}

/** The counts the navigation shows; refreshed after every decision. */
export const queueCounts = createStore<QueueCounts | null>(null)
export async function loadQueues(): Promise<void> {
  queueCounts.set(await request<QueueCounts>('GET', '/admin/queues'))
}

export const readSetup = (token: string) =>
  anonymous<StaffSetupInfo>('GET', `/staff/setup?token=${enc(token)}`, undefined)
export const completeSetup = (body: { token: string; password: string; totp_code: string }) =>
  anonymous<StaffActivated>('POST', '/staff/setup', body)
export const signInStaff = (email: string, password: string, totp_code: string) =>
  staff.signIn({ email, password, totp_code })
export const logoutEverywhere = async () => {
  await request<unknown>('POST', '/staff/logout-everywhere')
  staff.forget()
}

const page = (limit = 50) => ({ limit, offset: 0 })
export const tasksWaiting = (status: 'MANUAL_REVIEW' | 'DISPUTED') =>
  request<AdminTaskPage>('GET', '/admin/tasks', { query: { status, ...page() } })
export const getTask = (id: string) => request<AdminTask>('GET', `/admin/tasks/${enc(id)}`)
export const decideReview = (id: string, decision: 'APPROVE' | 'REJECT', note: string) =>
  request<ReviewedTask>('POST', `/admin/tasks/${enc(id)}/review`, {
    json: { decision, ...(note ? { note } : {}) },
  })
export type Outcome = 'PAY_OPERATOR' | 'REFUND_AGENT' | 'SPLIT'
export const resolveDispute = (id: string, outcome: Outcome, note: string, operatorPercent?: number) =>
  request<ResolvedDispute>('POST', `/admin/tasks/${enc(id)}/resolve`, {
    json: {
      outcome,
      note,
      ...(outcome === 'SPLIT' ? { operator_percent: operatorPercent } : {}),
    },
  })

export const kycQueue = () =>
  request<AdminOperatorPage>('GET', '/admin/operators', { query: { kyc_status: 'PENDING', ...page() } })
export const getOperator = (id: string) => request<AdminOperator>('GET', `/admin/operators/${enc(id)}`)
export const kycDocuments = (id: string) =>
  request<KycDocuments>('GET', `/admin/operators/${enc(id)}/kyc-documents`)
export const decideKyc = (id: string, decision: 'APPROVE' | 'REJECT', reason: string) =>
  request<KycDecision>('POST', `/admin/operators/${enc(id)}/kyc`, {
    json: { decision, ...(reason ? { reason } : {}) },
  })

export const stuckPayouts = () =>
  request<AdminPayoutPage>('GET', '/admin/payouts/stuck', { query: { older_than_s: 600, ...page() } })
export const reconcile = (id: string, outcome: 'CONFIRMED' | 'FAILED', txHash: string, note: string) =>
  request<ReconciledPayout>('POST', `/admin/payouts/${enc(id)}/reconcile`, {
    json: { outcome, ...(txHash ? { tx_hash: txHash } : {}), ...(note ? { note } : {}) },
  })

export const search = (q: string) => request<SearchResult>('GET', '/admin/search', { query: { q } })
export const getAgent = (id: string) => request<AdminAgent>('GET', `/admin/agents/${enc(id)}`)
export const setTier = (id: string, tier: string) =>
  request<AgentTier>('POST', `/admin/agents/${enc(id)}/tier`, { json: { tier } })
export const setRestriction = (id: string, restricted: boolean, reason: string) =>
  request<AgentRestriction>('POST', `/admin/agents/${enc(id)}/restriction`, {
    json: { restricted, ...(reason ? { reason } : {}) },
  })

export interface AuditFilter {
  actor?: string
  action?: string
  object_id?: string
}
export const audit = (f: AuditFilter, offset = 0) =>
  request<AuditPage>('GET', '/admin/audit', { query: { ...f, limit: 50, offset } })
export const health = () => request<AdminHealth>('GET', '/admin/health')
/** The per-day figures of the dashboard charts, UTC days from `from` to `to` (at most 366). */
export const dailyStats = (from: string, to: string) =>
  request<DailyStats>('GET', '/admin/stats/daily', { query: { from, to } })

/**
 * The audit log as CSV, downloaded with the bearer header (a plain link would carry no
 * credentials: the access token is never in a cookie).
 */
export async function downloadAuditCsv(f: AuditFilter): Promise<void> {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v)
  const res = await fetch(`${API}/admin/audit.csv?${q}`, { headers: await staff.authHeader() })
  if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText)
  const href = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = href
  a.download = 'humcli-audit.csv'
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 1000)
}
