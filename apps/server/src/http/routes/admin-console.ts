import {
  AdminAgentDetail,
  AdminHealth,
  AdminOperatorDetail,
  AdminOperatorPage,
  AdminOperatorsQuery,
  AdminPayoutPage,
  AdminStuckPayoutsQuery,
  AuditCsvQuery,
  AuditPage,
  AuditQuery,
  DailyStats,
  DailyStatsQuery,
  errorResponses,
  IdParams,
  KycDocuments,
  QueueCounts,
  SearchQuery,
  SearchResults,
} from '@humcli/contract'
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
  // A console access token (`hstf_…`, from the staff session) or an `hadm_` token: both bearer.
  const security: Record<string, string[]>[] = [{ bearer: [] }]
  const s = (
    operationId: string,
    summary: string,
    description: string,
    more: Record<string, unknown> = {},
  ) => ({
    tags,
    security,
    operationId,
    summary,
    description,
    ...more,
  })

  app.get(
    '/admin/queues',
    {
      onRequest: reviewer,
      schema: s(
        'adminQueueCounts',
        'What waits for staff: counts for the navigation',
        'How many tasks wait in MANUAL_REVIEW and DISPUTED, operators in KYC PENDING, and payouts sent with no answer for 10 minutes. Staff (reviewer or admin) only.',
        { response: { 200: QueueCounts, ...errorResponses(401, 403) } },
      ),
    },
    () => queueCounts(ctx),
  )
  app.get<{ Querystring: Page & { kyc_status?: string } }>(
    '/admin/operators',
    {
      onRequest: reviewer,
      schema: s(
        'adminListOperators',
        'Operators, oldest KYC submission first (kyc_status=PENDING is the KYC queue)',
        'Every operator with KYC status and reason, location and rating, the oldest KYC submission first (an operator who never uploaded counts from registration).',
        {
          querystring: AdminOperatorsQuery,
          response: { 200: AdminOperatorPage, ...errorResponses(400, 401, 403) },
        },
      ),
    },
    (req) => listOperatorsForAdmin(ctx, req.query),
  )
  app.get<{ Params: IdParams }>(
    '/admin/operators/:id',
    {
      onRequest: reviewer,
      schema: s(
        'adminGetOperator',
        'An operator: KYC, rating, releases, earnings, tasks',
        "The operator's profile as they see it, their earnings, and their 20 newest tasks.",
        { params: IdParams, response: { 200: AdminOperatorDetail, ...errorResponses(401, 403, 404) } },
      ),
    },
    (req) => lookupOperator(ctx, req.params.id),
  )
  app.get<{ Params: IdParams }>(
    '/admin/operators/:id/kyc-documents',
    {
      onRequest: reviewer,
      schema: s(
        'adminGetKycDocuments',
        "An operator's KYC documents, decrypted for you",
        'The latest upload of each KYC document, decrypted as data: URLs for the staff member asking. The answer is never cached (Cache-Control: no-store) and each viewing is written to the audit log.',
        { params: IdParams, response: { 200: KycDocuments, ...errorResponses(401, 403, 404) } },
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
      schema: s(
        'adminGetAgent',
        'An agent: tier, limits, usage, balances, restriction, tasks',
        "The agent's account as they see it (tier, limits, today's usage, balances, restriction with its reason) and their 20 newest tasks.",
        { params: IdParams, response: { 200: AdminAgentDetail, ...errorResponses(401, 403, 404) } },
      ),
    },
    (req) => lookupAgent(ctx, req.params.id),
  )
  app.get<{ Querystring: { q: string } }>(
    '/admin/search',
    {
      onRequest: reviewer,
      schema: s(
        'adminSearch',
        'Agents and operators by id, email or name; tasks by id',
        'An id or an email matches exactly; a name matches as a case-insensitive substring. At most 20 of each kind.',
        { querystring: SearchQuery, response: { 200: SearchResults, ...errorResponses(400, 401, 403) } },
      ),
    },
    (req) => searchAll(ctx, req.query.q),
  )
  app.get<{ Querystring: Page & { older_than_s: number } }>(
    '/admin/payouts/stuck',
    {
      onRequest: admin,
      schema: s(
        'adminListStuckPayouts',
        'Payouts sent with no recorded answer for older_than_s, oldest first',
        'PENDING_ONCHAIN payouts whose chain call was made at least `older_than_s` seconds ago and never answered: reconcile each with its transaction hash. Admin only.',
        {
          querystring: AdminStuckPayoutsQuery,
          response: { 200: AdminPayoutPage, ...errorResponses(400, 401, 403) },
        },
      ),
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
      schema: s(
        'adminListAudit',
        'The audit log, newest first, filtered',
        'Every staff action (who, what, which object, before and after, note, when), newest first; filter by actor, action (exact or a prefix ending in `.`), object and time.',
        { querystring: AuditQuery, response: { 200: AuditPage, ...errorResponses(400, 401, 403) } },
      ),
    },
    (req) => listAudit(ctx, req.query),
  )
  app.get<{ Querystring: AuditFilter }>(
    '/admin/audit.csv',
    {
      onRequest: reviewer,
      schema: s(
        'adminExportAudit',
        'The audit log as CSV',
        'The same filters as the audit log, as a CSV download of at most 100 000 lines (a header line, then one line per action, newest first).',
        {
          querystring: AuditCsvQuery,
          produces: ['text/csv'],
          response: {
            200: { description: 'CSV text', content: { 'text/csv': { schema: { type: 'string' } } } },
            ...errorResponses(400, 401, 403),
          },
        },
      ),
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
      schema: s(
        'adminHealth',
        'Ledger check, job backlog by kind, failing webhook endpoints, Guardian decision mix',
        "The ledger check, the figures `/metrics` reads (open tasks, jobs due, running and failed by kind, unfinished webhook deliveries), the failing or disabled webhook endpoints, and the Guardian's decisions of the last 24 hours.",
        { response: { 200: AdminHealth, ...errorResponses(401, 403) } },
      ),
    },
    () => adminHealth(ctx),
  )
  app.get<{ Querystring: { from: string; to: string } }>(
    '/admin/stats/daily',
    {
      onRequest: reviewer,
      schema: s(
        'adminDailyStats',
        'Per-day figures for the dashboard charts (UTC days, at most 366)',
        'Tasks created and completed, money escrowed, released and refunded, fee revenue, Guardian decisions and the median time from creation to completion (exact, in seconds), per UTC day from `from` to `to`. Days over for 10 minutes are final and read from a rollup; today is computed live (ADR 0023).',
        {
          querystring: DailyStatsQuery,
          response: {
            200: DailyStats,
            ...errorResponses(400),
          },
        },
      ),
    },
    (req) => dailyStats(ctx, req.query),
  )
}
