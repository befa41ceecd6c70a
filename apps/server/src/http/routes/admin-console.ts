import {
  AdminAgent,
  AdminHealth,
  AdminOperator,
  AdminOperatorPage,
  AdminOperatorsQuery,
  AdminPayoutPage,
  AdminStuckPayoutsQuery,
  AuditCsvQuery,
  AuditPage,
  AuditQuery,
  DailyStatsQuery,
  DailyStatsRow,
  errorResponses,
  IdParams,
  KycDocuments,
  QueueCounts,
  SearchQuery,
  SearchResult,
} from '@humcli/contract'
import { Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { dailyStats } from '../../admin/daily-stats.ts'
import { adminHealth } from '../../admin/health.ts'
import { type AuditFilter, auditCsv, listAudit } from '../../admin/list-audit.ts'
import { listOperatorsForAdmin } from '../../admin/list-operators.ts'
import { lookupAgent, lookupOperator } from '../../admin/lookup.ts'
import { listStuckPayouts, queueCounts } from '../../admin/queues.ts'
import { readKycDocuments } from '../../admin/read-kyc-documents.ts'
import { searchAll } from '../../admin/search.ts'
import type { Ctx } from '../../context.ts'
import { payoutView } from '../../payments/payout-view.ts'
import { requireAdmin, staffActor } from '../auth.ts'

type Page = { limit: number; offset: number }

/** The console's read side: queues, lookup, search, KYC documents, audit log, health, daily figures. */
export function adminConsoleRoutes(app: FastifyInstance, ctx: Ctx): void {
  const reviewer = requireAdmin(ctx, 'reviewer')
  const admin = requireAdmin(ctx, 'admin')
  const tags = ['admin']
  const security: Record<string, string[]>[] = [{ bearer: [] }, { staffSession: [] }]
  const s = (summary: string, more: Record<string, unknown> = {}) => ({ tags, security, summary, ...more })

  app.get(
    '/admin/queues',
    {
      onRequest: reviewer,
      schema: s('What waits for staff: counts for the navigation', { response: { 200: QueueCounts } }),
    },
    () => queueCounts(ctx),
  )
  app.get<{ Querystring: Page & { kyc_status?: string } }>(
    '/admin/operators',
    {
      onRequest: reviewer,
      schema: s('Operators, oldest KYC submission first (kyc_status=PENDING is the KYC queue)', {
        querystring: AdminOperatorsQuery,
        response: { 200: AdminOperatorPage, ...errorResponses(400) },
      }),
    },
    (req) => listOperatorsForAdmin(ctx, req.query),
  )
  app.get<{ Params: IdParams }>(
    '/admin/operators/:id',
    {
      onRequest: reviewer,
      schema: s('An operator: KYC, rating, releases, earnings, tasks', {
        params: IdParams,
        response: { 200: AdminOperator, ...errorResponses(404) },
      }),
    },
    (req) => lookupOperator(ctx, req.params.id),
  )
  app.get<{ Params: IdParams }>(
    '/admin/operators/:id/kyc-documents',
    {
      onRequest: reviewer,
      schema: s(
        "An operator's KYC documents, decrypted for you (Cache-Control: no-store; each viewing is audited)",
        {
          params: IdParams,
          response: { 200: KycDocuments, ...errorResponses(404) },
        },
      ),
    },
    async (req, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      return readKycDocuments(ctx, staffActor(req), req.params.id)
    },
  )
  app.get<{ Params: IdParams }>(
    '/admin/agents/:id',
    {
      onRequest: reviewer,
      schema: s('An agent: tier, limits, usage, balances, restriction, tasks', {
        params: IdParams,
        response: { 200: AdminAgent, ...errorResponses(404) },
      }),
    },
    (req) => lookupAgent(ctx, req.params.id),
  )
  app.get<{ Querystring: { q: string } }>(
    '/admin/search',
    {
      onRequest: reviewer,
      schema: s('Agents and operators by id, email or name; tasks by id', {
        querystring: SearchQuery,
        response: { 200: SearchResult, ...errorResponses(400) },
      }),
    },
    (req) => searchAll(ctx, req.query.q),
  )
  app.get<{ Querystring: Page & { older_than_s: number } }>(
    '/admin/payouts/stuck',
    {
      onRequest: admin,
      schema: s('Payouts sent with no recorded answer for older_than_s, oldest first: reconcile them', {
        querystring: AdminStuckPayoutsQuery,
        response: { 200: AdminPayoutPage, ...errorResponses(400) },
      }),
    },
    async (req) => {
      const { rows, total } = await listStuckPayouts(ctx, req.query)
      return {
        data: rows.map((p) => ({
          ...payoutView(p),
          operator_id: p.operator_id,
          send_attempted_at: p.send_attempted_at,
        })),
        pagination: { limit: req.query.limit, offset: req.query.offset, total },
      }
    },
  )
  app.get<{ Querystring: AuditFilter & Page }>(
    '/admin/audit',
    {
      onRequest: reviewer,
      schema: s('The audit log, newest first, filtered', {
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses(400) },
      }),
    },
    (req) => listAudit(ctx, req.query),
  )
  app.get<{ Querystring: AuditFilter }>(
    '/admin/audit.csv',
    {
      onRequest: reviewer,
      schema: s('The audit log as CSV (same filters, at most 100 000 lines)', {
        querystring: AuditCsvQuery,
        produces: ['text/csv'],
      }),
    },
    async (req, reply) => {
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="humcli-audit.csv"')
        .header('cache-control', 'no-store')
      return auditCsv(ctx, req.query)
    },
  )
  app.get(
    '/admin/health',
    {
      onRequest: reviewer,
      schema: s('Ledger check, job backlog by kind, failing webhook endpoints, Guardian decision mix', {
        response: { 200: AdminHealth },
      }),
    },
    () => adminHealth(ctx),
  )
  app.get<{ Querystring: { from: string; to: string } }>(
    '/admin/stats/daily',
    {
      onRequest: reviewer,
      schema: s('Per-day figures for the dashboard charts (UTC days, at most 366)', {
        querystring: DailyStatsQuery,
        response: {
          200: Type.Object({ from: Type.String(), to: Type.String(), data: Type.Array(DailyStatsRow) }),
          ...errorResponses(400),
        },
      }),
    },
    (req) => dailyStats(ctx, req.query),
  )
}
