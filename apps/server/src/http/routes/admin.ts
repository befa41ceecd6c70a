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
import type { PayoutStatus } from '../../payments/payout-view.ts'
import { adminId, requireAdmin, staffActor } from '../auth.ts'
import { baseUrl } from '../base-url.ts'

export function adminRoutes(app: FastifyInstance, ctx: Ctx): void {
  // Reviewers decide reviews, disputes and KYC; everything else needs the admin role.
  const reviewer = requireAdmin(ctx, 'reviewer')
  const auth = requireAdmin(ctx, 'admin')
  const tags = ['admin']
  const security: Record<string, string[]>[] = [{ bearer: [] }, { staffSession: [] }]
  type Id = { Params: IdParams }

  app.get<{ Querystring: { status: 'MANUAL_REVIEW' | 'DISPUTED'; limit: number; offset: number } }>(
    '/admin/tasks',
    {
      onRequest: reviewer,
      schema: { tags, security, summary: 'Tasks waiting for staff', querystring: AdminTasksQuery },
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
        summary: 'Any task, with its transitions and resolution',
        params: IdParams,
        response: errorResponses(404),
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
      onRequest: reviewer,
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
  app.post<Id & { Body: { decision: 'APPROVE' | 'REJECT'; reason?: string } }>(
    '/admin/operators/:id/kyc',
    {
      onRequest: reviewer,
      schema: {
        tags,
        security,
        summary: "Approve or reject an operator's KYC",
        params: IdParams,
        body: KycDecisionBody,
        response: errorResponses(404, 409),
      },
    },
    (req) => decideKyc(ctx, staffActor(req), req.params.id, req.body),
  )
  app.post<Id & { Body: { tier: Tier } }>(
    '/admin/agents/:id/tier',
    {
      onRequest: auth,
      schema: { tags, security, summary: "Set an agent's tier", params: IdParams, body: TierBody },
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
        summary: 'Restrict an agent or lift a restriction',
        params: IdParams,
        body: RestrictionBody,
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
