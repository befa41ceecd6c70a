import {
  AdminPayoutPage,
  AdminPayoutsQuery,
  AdminTask,
  AdminTaskPage,
  AdminTasksQuery,
  AgentRestriction,
  AgentTier,
  errorResponses,
  IdParams,
  KycDecision,
  KycDecisionBody,
  LedgerCheck,
  PageQuery,
  ReconciledPayout,
  ReconcilePayoutBody,
  ResolveBody,
  ResolvedDispute,
  RestrictionBody,
  ReviewBody,
  ReviewedTask,
  TierBody,
  UnattributedTransferPage,
} from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import { decideKyc } from '../../admin/decide-kyc.ts'
import { listPayoutsForAdmin, type ReconcileInput, reconcilePayout } from '../../admin/reconcile-payout.ts'
import {
  decideManualReview,
  listTasksForReview,
  type ResolveInput,
  resolveDispute,
} from '../../admin/review-tasks.ts'
import { setAgentRestriction, setAgentTier } from '../../admin/set-tier.ts'
import { adminGetTask } from '../../admin/task-detail.ts'
import type { Ctx } from '../../context.ts'
import type { Tier } from '../../domain/tiers.ts'
import { ledgerCheck } from '../../ledger/check.ts'
import { listUnattributed } from '../../payments/list-unattributed.ts'
import type { PayoutStatus } from '../../payments/payout-view.ts'
import { adminId, requireAdmin, staffActor } from '../auth.ts'
import { baseUrl } from '../base-url.ts'

export function adminRoutes(app: FastifyInstance, ctx: Ctx): void {
  // Reviewers decide reviews, disputes and KYC; everything else needs the admin role.
  const reviewer = requireAdmin(ctx, 'reviewer')
  const auth = requireAdmin(ctx, 'admin')
  const tags = ['admin']
  // A console access token (`hstf_…`, from the staff session) or an `hadm_` token: both bearer.
  const security: Record<string, string[]>[] = [{ bearer: [] }]
  type Id = { Params: IdParams }

  app.get<{ Querystring: { status: 'MANUAL_REVIEW' | 'DISPUTED'; limit: number; offset: number } }>(
    '/admin/tasks',
    {
      onRequest: reviewer,
      schema: {
        tags,
        security,
        operationId: 'adminListTasks',
        summary: 'Tasks waiting for staff',
        description: 'MANUAL_REVIEW or DISPUTED tasks, the longest waiting first.',
        querystring: AdminTasksQuery,
        response: { 200: AdminTaskPage, ...errorResponses(400, 401, 403) },
      },
    },
    (req) => listTasksForReview(ctx, req.query),
  )
  app.get<Id>(
    '/admin/tasks/:id',
    {
      onRequest: reviewer,
      schema: {
        tags,
        security,
        operationId: 'adminGetTask',
        summary: 'Any task, with its transitions and resolution',
        description: "The agent's task object plus `agent_id`.",
        params: IdParams,
        response: { 200: AdminTask, ...errorResponses(401, 403, 404) },
      },
    },
    (req) => adminGetTask(ctx, req.params.id, baseUrl(ctx, req)),
  )
  app.post<Id & { Body: { decision: 'APPROVE' | 'REJECT'; note?: string } }>(
    '/admin/tasks/:id/review',
    {
      onRequest: reviewer,
      schema: {
        tags,
        security,
        summary: 'Decide a manual review (APPROVE also works on a SUBMITTED task)',
        description:
          'APPROVE completes a MANUAL_REVIEW or SUBMITTED task and pays the operator; REJECT cancels a ' +
          'MANUAL_REVIEW task and refunds the agent. 409 in any other status.',
        operationId: 'adminReviewTask',
        params: IdParams,
        body: ReviewBody,
        response: { 200: ReviewedTask, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const t = await decideManualReview(ctx, adminId(req), req.params.id, req.body)
      return { task_id: t.id, status: t.status }
    },
  )
  app.post<Id & { Body: ResolveInput }>(
    '/admin/tasks/:id/resolve',
    {
      onRequest: reviewer,
      schema: {
        tags,
        security,
        operationId: 'adminResolveDispute',
        summary: 'Resolve a dispute',
        description:
          'PAY_OPERATOR, REFUND_AGENT or SPLIT (`operator_percent`) a DISPUTED task; paying the ' +
          "operator overturns the agent's rejection, which may restrict the agent.",
        params: IdParams,
        body: ResolveBody,
        response: { 200: ResolvedDispute, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const r = await resolveDispute(ctx, adminId(req), req.params.id, req.body)
      return {
        task_id: r.task.id,
        status: r.task.status,
        outcome: req.body.outcome,
        resolution: r.resolution,
        agent_restricted: r.agentRestricted,
      }
    },
  )
  app.post<Id & { Body: { decision: 'APPROVE' | 'REJECT'; reason?: string } }>(
    '/admin/operators/:id/kyc',
    {
      onRequest: reviewer,
      schema: {
        tags,
        security,
        operationId: 'adminDecideKyc',
        summary: "Approve or reject an operator's KYC",
        description: 'An APPROVED operator may accept tasks.',
        params: IdParams,
        body: KycDecisionBody,
        response: { 200: KycDecision, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (req) => decideKyc(ctx, staffActor(req), req.params.id, req.body),
  )
  app.post<Id & { Body: { tier: Tier } }>(
    '/admin/agents/:id/tier',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'adminSetAgentTier',
        summary: "Set an agent's tier",
        description: 'SANDBOX, VERIFIED or STANDARD; the limits of the tier apply to new tasks.',
        params: IdParams,
        body: TierBody,
        response: { 200: AgentTier, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (req) => setAgentTier(ctx, req.params.id, req.body.tier, `admin:${adminId(req)}`),
  )
  app.post<Id & { Body: { restricted: boolean; reason?: string } }>(
    '/admin/agents/:id/restriction',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'adminSetAgentRestriction',
        summary: 'Restrict an agent or lift a restriction',
        description: 'A restricted agent cannot create tasks.',
        params: IdParams,
        body: RestrictionBody,
        response: { 200: AgentRestriction, ...errorResponses(400, 401, 403, 404) },
      },
    },
    (req) =>
      setAgentRestriction(ctx, req.params.id, req.body.restricted, req.body.reason, `admin:${adminId(req)}`),
  )
  app.get<{
    Querystring: { status?: PayoutStatus; limit: number; offset: number }
  }>(
    '/admin/payouts',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'adminListPayouts',
        summary: "Every operator's payouts",
        description:
          'Newest first, optionally by `status`, with whose they are and when the chain was called.',
        querystring: AdminPayoutsQuery,
        response: { 200: AdminPayoutPage, ...errorResponses(400, 401, 403) },
      },
    },
    (req) => listPayoutsForAdmin(ctx, req.query),
  )
  app.post<Id & { Body: ReconcileInput }>(
    '/admin/payouts/:id/reconcile',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'adminReconcilePayout',
        summary: 'Record the on-chain outcome of a payout whose send outcome is unknown',
        description:
          'CONFIRMED with the `tx_hash` found on chain, or FAILED (the funds go back to the ' +
          'operator). 409 unless the send was attempted and its outcome never recorded.',
        params: IdParams,
        body: ReconcilePayoutBody,
        response: { 200: ReconciledPayout, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    (req) => reconcilePayout(ctx, adminId(req), req.params.id, req.body),
  )
  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/admin/deposits/unattributed',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'adminListUnattributedTransfers',
        summary: 'USDC received from wallets no agent has bound',
        description:
          'Transfers into the deposit address from an unbound wallet, recorded by the deposit watcher once ' +
          'confirmed and never credited: find the sender, then credit by hand or send the USDC back. Newest first.',
        querystring: PageQuery,
        response: { 200: UnattributedTransferPage, ...errorResponses(400, 401, 403) },
      },
    },
    (req) => listUnattributed(ctx, req.query),
  )
  app.get(
    '/admin/ledger-check',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'adminLedgerCheck',
        summary: 'Prove the ledger invariants',
        description:
          'Every transaction sums to zero, no account is negative, every cached balance equals its entries.',
        response: { 200: LedgerCheck, ...errorResponses(401, 403) },
      },
    },
    () => ledgerCheck(ctx.store.db),
  )
}
