import {
  AdminPayoutsQuery,
  AdminTasksQuery,
  errorResponses,
  IdParams,
  KycDecisionBody,
  ReconcilePayoutBody,
  ResolveBody,
  RestrictionBody,
  ReviewBody,
  TierBody,
} from '@humcli/contract'
import type { FastifyInstance } from 'fastify'
import { listPayoutsForAdmin, type ReconcileInput, reconcilePayout } from '../../admin/reconcile-payout.ts'
import {
  adminGetTask,
  decideManualReview,
  listTasksForReview,
  type ResolveInput,
  resolveDispute,
} from '../../admin/review-tasks.ts'
import { decideKyc, setAgentRestriction, setAgentTier } from '../../admin/set-tier.ts'
import type { Ctx } from '../../context.ts'
import type { Tier } from '../../domain/tiers.ts'
import { ledgerCheck } from '../../ledger/check.ts'
import type { PayoutStatus } from '../../payments/payout-view.ts'
import { adminId, requireAdmin } from '../auth.ts'

export function adminRoutes(app: FastifyInstance, ctx: Ctx): void {
  const auth = requireAdmin(ctx)
  const tags = ['admin']
  const security = [{ bearer: [] }]
  type Id = { Params: IdParams }

  app.get<{ Querystring: { status: 'MANUAL_REVIEW' | 'DISPUTED'; limit: number; offset: number } }>(
    '/admin/tasks',
    {
      onRequest: auth,
      schema: { tags, security, summary: 'Tasks waiting for staff', querystring: AdminTasksQuery },
    },
    (req) => listTasksForReview(ctx, req.query),
  )
  app.get<Id>(
    '/admin/tasks/:id',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        summary: 'Any task, with its transitions and resolution',
        params: IdParams,
        response: errorResponses(404),
      },
    },
    (req) => adminGetTask(ctx, req.params.id),
  )
  app.post<Id & { Body: { decision: 'APPROVE' | 'REJECT'; note?: string } }>(
    '/admin/tasks/:id/review',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        summary: 'Decide a manual review (APPROVE also works on a SUBMITTED task)',
        description:
          'APPROVE completes a MANUAL_REVIEW or SUBMITTED task and pays the operator; REJECT cancels a ' +
          'MANUAL_REVIEW task and refunds the agent. 409 in any other status.',
        params: IdParams,
        body: ReviewBody,
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
      onRequest: auth,
      schema: { tags, security, summary: 'Resolve a dispute', params: IdParams, body: ResolveBody },
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
  app.post<Id & { Body: { decision: 'APPROVE' | 'REJECT' } }>(
    '/admin/operators/:id/kyc',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        summary: "Approve or reject an operator's KYC",
        params: IdParams,
        body: KycDecisionBody,
      },
    },
    (req) => decideKyc(ctx, req.params.id, req.body.decision),
  )
  app.post<Id & { Body: { tier: Tier } }>(
    '/admin/agents/:id/tier',
    {
      onRequest: auth,
      schema: { tags, security, summary: "Set an agent's tier", params: IdParams, body: TierBody },
    },
    (req) => setAgentTier(ctx, req.params.id, req.body.tier),
  )
  app.post<Id & { Body: { restricted: boolean; reason?: string } }>(
    '/admin/agents/:id/restriction',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        summary: 'Restrict an agent or lift a restriction',
        params: IdParams,
        body: RestrictionBody,
      },
    },
    (req) => setAgentRestriction(ctx, req.params.id, req.body.restricted, req.body.reason),
  )
  app.get<{
    Querystring: { status?: PayoutStatus; limit: number; offset: number }
  }>(
    '/admin/payouts',
    {
      onRequest: auth,
      schema: { tags, security, summary: "Every operator's payouts", querystring: AdminPayoutsQuery },
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
        summary: 'Record the on-chain outcome of a payout whose send outcome is unknown',
        params: IdParams,
        body: ReconcilePayoutBody,
        response: errorResponses(400, 404, 409),
      },
    },
    (req) => reconcilePayout(ctx, adminId(req), req.params.id, req.body),
  )
  app.get(
    '/admin/ledger-check',
    { onRequest: auth, schema: { tags, security, summary: 'Prove the ledger invariants' } },
    () => ledgerCheck(ctx.store.db),
  )
}
