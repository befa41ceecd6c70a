import type {
  AcceptBody,
  AcceptedEstimate,
  BrowseQuery,
  OperatorEarnings,
  OperatorProfile,
  OperatorTask,
  OperatorTaskPage,
  Payout,
  PayoutBody,
  PayoutList,
  RegisterOperatorBody,
} from '@humcli/contract'
import type { Static } from '@sinclair/typebox'
import { anonymous, request } from './client.ts'

/** The operator endpoints the app uses, typed by `@humcli/contract` (never restated here). */
export type RegisterInput = Static<typeof RegisterOperatorBody>
export type BrowseInput = Partial<Static<typeof BrowseQuery>>
export type AcceptInput = Static<typeof AcceptBody>
export type PayoutInput = Static<typeof PayoutBody>
export type PayoutView = Static<typeof Payout>
export type { OperatorEarnings, OperatorProfile, OperatorTask, OperatorTaskPage }

export const register = (body: RegisterInput) => anonymous<unknown>('POST', '/operator/register', body)
export const me = () => request<OperatorProfile>('GET', '/operator/me')
export const browse = (q: BrowseInput) => request<OperatorTaskPage>('GET', '/operator/tasks', { query: q })
export const mine = (q: { status?: string; limit?: number; offset?: number }) =>
  request<OperatorTaskPage>('GET', '/operator/tasks/mine', { query: q })
export const getTask = (id: string) =>
  request<OperatorTask>('GET', `/operator/tasks/${encodeURIComponent(id)}`)
export const accept = (id: string, body: AcceptInput) =>
  request<AcceptedEstimate>('POST', `/operator/tasks/${encodeURIComponent(id)}/accept`, { json: body })
export const start = (id: string) =>
  request<{ task_id: string; status: string }>('POST', `/operator/tasks/${encodeURIComponent(id)}/start`)
export const earnings = () => request<OperatorEarnings>('GET', '/operator/earnings')
export const payouts = () => request<Static<typeof PayoutList>>('GET', '/operator/payouts')
export const requestPayout = (body: PayoutInput, key: string) =>
  request<PayoutView>('POST', '/operator/payout', { json: body, headers: { 'idempotency-key': key } })
export const submitKyc = (form: FormData) =>
  request<{ kyc_status: string }>('POST', '/operator/kyc', { form })
