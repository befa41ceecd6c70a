import { type CallOptions, id, page } from './call.ts'
import { type ClientOptions, Transport } from './transport.ts'
import type {
  AdminPayout,
  AdminTask,
  AdminTaskSummary,
  AgentRestriction,
  AgentTier,
  KycDecision,
  LedgerCheck,
  Page,
  PageParams,
  ReconciledPayout,
  ReconcileInput,
  ResolvedDispute,
  ResolveInput,
  ReviewInput,
  Tier,
} from './types.ts'

/** The typed client of the staff API, with an admin bearer token (`humcli admin token`). */
export class HumcliAdmin {
  private readonly t: Transport

  constructor(options: ClientOptions) {
    this.t = new Transport(options)
  }

  readonly tasks = {
    /** Tasks waiting for staff: MANUAL_REVIEW or DISPUTED, the longest waiting first. */
    list: (status: 'MANUAL_REVIEW' | 'DISPUTED', p: PageParams = {}, o: CallOptions = {}) =>
      this.t.request<Page<AdminTaskSummary>>({
        method: 'GET',
        path: '/admin/tasks',
        query: { ...page(p), status },
        signal: o.signal,
      }),
    get: (taskId: string, o: CallOptions = {}) =>
      this.t.request<AdminTask>({ method: 'GET', path: `/admin/tasks/${id(taskId)}`, signal: o.signal }),
    /** Decides a manual review: APPROVE pays the operator, REJECT refunds the agent. */
    review: (taskId: string, input: ReviewInput, o: CallOptions = {}) =>
      this.t.request<{ task_id: string; status: AdminTask['status'] }>({
        method: 'POST',
        path: `/admin/tasks/${id(taskId)}/review`,
        body: input,
        signal: o.signal,
      }),
    /** Ends a dispute: PAY_OPERATOR, REFUND_AGENT or SPLIT. */
    resolve: (taskId: string, input: ResolveInput, o: CallOptions = {}) =>
      this.t.request<ResolvedDispute>({
        method: 'POST',
        path: `/admin/tasks/${id(taskId)}/resolve`,
        body: input,
        signal: o.signal,
      }),
  }

  readonly operators = {
    decideKyc: (operatorId: string, decision: 'APPROVE' | 'REJECT', o: CallOptions = {}) =>
      this.t.request<KycDecision>({
        method: 'POST',
        path: `/admin/operators/${id(operatorId)}/kyc`,
        body: { decision },
        signal: o.signal,
      }),
  }

  readonly agents = {
    setTier: (agentId: string, tier: Tier, o: CallOptions = {}) =>
      this.t.request<AgentTier>({
        method: 'POST',
        path: `/admin/agents/${id(agentId)}/tier`,
        body: { tier },
        signal: o.signal,
      }),
    setRestriction: (agentId: string, restricted: boolean, reason?: string, o: CallOptions = {}) =>
      this.t.request<AgentRestriction>({
        method: 'POST',
        path: `/admin/agents/${id(agentId)}/restriction`,
        body: reason === undefined ? { restricted } : { restricted, reason },
        signal: o.signal,
      }),
  }

  readonly payouts = {
    list: (p: PageParams & { status?: AdminPayout['status'] } = {}, o: CallOptions = {}) =>
      this.t.request<Page<AdminPayout>>({
        method: 'GET',
        path: '/admin/payouts',
        query: { ...page(p), status: p.status },
        signal: o.signal,
      }),
    /** Records the on-chain outcome of a payout whose send outcome is unknown. */
    reconcile: (payoutId: string, input: ReconcileInput, o: CallOptions = {}) =>
      this.t.request<ReconciledPayout>({
        method: 'POST',
        path: `/admin/payouts/${id(payoutId)}/reconcile`,
        body: input,
        signal: o.signal,
      }),
  }

  /** Proves the ledger invariants. */
  ledgerCheck(o: CallOptions = {}) {
    return this.t.request<LedgerCheck>({ method: 'GET', path: '/admin/ledger-check', signal: o.signal })
  }
}
