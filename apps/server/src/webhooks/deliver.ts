import { type ExpressionBuilder, sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { callbackSecretPurpose, endpointSecretPurpose, openSecret } from '../credentials/at-rest.ts'
import type { Database, WebhookDeliveriesTable, WebhookEndpointsTable } from '../store/schema.ts'
import type { LaneWork, Shares } from '../worker/lane.ts'
import { type AttemptOutcome, finishUndeliverable, recordAttempt } from './record-attempt.ts'
import { sendWebhook } from './send.ts'
import { callbackSignature, standardHeaders } from './sign.ts'
import { resolveTarget, TargetRefused } from './target-url.ts'

export type DeliveryRow = WebhookDeliveriesTable

/** An attempt's lock on its delivery lasts the request timeout plus this (for recording the outcome). */
const ATTEMPT_LOCK_MARGIN_MS = 15_000
/** How many due deliveries a claim by shares looks at per attempt it may claim (and at least). */
const WINDOW_PER_SLOT = 4
const MIN_WINDOW = 16

type DeliveryEb = ExpressionBuilder<Database & { d: WebhookDeliveriesTable }, 'd'>

/**
 * An earlier event of the same task still pending for the same target (`d`): the delivery waits
 * for it, so each task's events arrive in order. Only a redelivery of an old event puts a pending
 * delivery before a ready one; otherwise the ready one is the first of its line.
 */
const earlierPending = (eb: DeliveryEb) =>
  eb.and([
    eb('d.task_id', 'is not', null),
    eb.exists(
      eb
        .selectFrom('webhook_deliveries as e')
        .select('e.id')
        .whereRef('e.target', '=', 'd.target')
        .whereRef('e.task_id', '=', 'd.task_id')
        .where('e.status', '=', 'pending')
        .whereRef('e.event_seq', '<', 'd.event_seq'),
    ),
  ])

/** No attempt holds the delivery (or its lock ran out). */
const unlocked = (eb: DeliveryEb, nowIso: string) =>
  eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<=', nowIso)])

/**
 * The deliveries an attempt may take now, earliest due first, at most `size`: ready (the head of
 * their line), due, not held by another attempt, and of an agent not in `skip`. The literal
 * predicate is `webhook_deliveries_ready`'s, so both dialects walk that index and nothing else.
 */
function dueDeliveries(ctx: Ctx, nowIso: string, size: number, skip: readonly string[]) {
  let q = ctx.store.db
    .selectFrom('webhook_deliveries as d')
    .select(['d.id', 'd.agent_id', 'd.next_attempt_at'])
    .where(sql<boolean>`d.status = 'pending' and d.ready = 1`)
    .where('d.next_attempt_at', '<=', nowIso)
    .where((eb) => unlocked(eb, nowIso))
    .where((eb) => eb.not(earlierPending(eb)))
  if (skip.length) q = q.where('d.agent_id', 'not in', skip)
  return q.orderBy('d.next_attempt_at').orderBy('d.id').limit(size)
}

/**
 * Of a window of the earliest due deliveries (agents at their share left out), each agent's
 * earliest up to the room it has: ranked within the agent, and only the ranks that fit are picked,
 * so a lane never claims attempts it would have to give back. The window is bounded
 * (`WINDOW_PER_SLOT` per free slot): the claim's cost follows the slots, not the backlog — except
 * that leaving out the agents at their share walks past their due deliveries (the lane does that
 * at most once per poll interval while it finds nothing else).
 */
function withinShares(ctx: Ctx, nowIso: string, limit: number, shares: Shares) {
  const full = [...shares.running].filter(([, n]) => n >= shares.perGroup).map(([g]) => g)
  const window = dueDeliveries(ctx, nowIso, Math.max(limit * WINDOW_PER_SLOT, MIN_WINDOW), full)
  const partly = [...shares.running].filter(([, n]) => n > 0 && n < shares.perGroup)
  const room = partly.length
    ? sql<number>`case w.agent_id ${sql.join(
        partly.map(([g, n]) => sql`when ${g} then ${sql.lit(shares.perGroup - n)}`),
        sql` `,
      )} else ${sql.lit(shares.perGroup)} end`
    : sql<number>`${sql.lit(shares.perGroup)}`
  const db = ctx.store.db
  const ranked = db
    .selectFrom(window.as('w'))
    .select([
      'w.id',
      'w.next_attempt_at',
      sql<number>`row_number() over (partition by w.agent_id order by w.next_attempt_at, w.id)`.as('rank'),
      room.as('room'),
    ])
  return db
    .selectFrom(ranked.as('r'))
    .select(['r.id', 'r.next_attempt_at'])
    .where((eb) => eb('r.rank', '<=', eb.ref('r.room')))
    .orderBy('r.next_attempt_at')
    .orderBy('r.id')
    .limit(limit)
}

/**
 * The statement that claims up to `limit` due deliveries for attempts: it sets their lock (the
 * request timeout plus a margin) and returns them. On PostgreSQL an outer select takes
 * `FOR UPDATE SKIP LOCKED` and re-checks the lock, so two processes never claim one delivery;
 * SQLite has one writer. A delivery whose attempt died is claimable again when its lock runs out.
 */
export function claimDeliveriesStatement(ctx: Ctx, limit: number, shares?: Shares) {
  const now = ctx.clock.now()
  const nowIso = iso(now)
  const db = ctx.store.db
  const ids = shares
    ? db.selectFrom(withinShares(ctx, nowIso, limit, shares).as('p')).select('p.id')
    : db.selectFrom(dueDeliveries(ctx, nowIso, limit, []).as('p')).select('p.id')
  const claimable =
    ctx.store.dialect === 'postgres'
      ? db
          .selectFrom('webhook_deliveries as d')
          .select('d.id')
          .where('d.id', 'in', ids)
          .where('d.status', '=', 'pending')
          .where((eb) => unlocked(eb, nowIso))
          .forUpdate()
          .skipLocked()
      : ids
  // Each delivery's target comes back with it: the task's callback, or the endpoint (primary-key
  // lookups, null for the other kind), so the claim is the batch's only round trip before sending.
  const task = (
    eb: ExpressionBuilder<Database, 'webhook_deliveries'>,
    col: 'callback_url' | 'callback_secret',
  ) => eb.selectFrom('tasks').select(`tasks.${col}`).whereRef('tasks.id', '=', 'webhook_deliveries.task_id')
  const endpoint = (eb: ExpressionBuilder<Database, 'webhook_deliveries'>, col: EndpointColumn) =>
    eb
      .selectFrom('webhook_endpoints as ep')
      .select(`ep.${col}`)
      .whereRef('ep.id', '=', 'webhook_deliveries.target')
  return db
    .updateTable('webhook_deliveries')
    .set({ locked_until: iso(addMs(now, ctx.config.webhookTimeoutMs + ATTEMPT_LOCK_MARGIN_MS)) })
    .where('id', 'in', claimable)
    .returningAll()
    .returning((eb) => [
      task(eb, 'callback_url').as('t_callback_url'),
      task(eb, 'callback_secret').as('t_callback_secret'),
      ...ENDPOINT_COLUMNS.map((c) => endpoint(eb, c).as(`ep_${c}`)),
    ])
}

const ENDPOINT_COLUMNS = [
  'id',
  'url',
  'secret',
  'previous_secret',
  'previous_secret_expires_at',
  'disabled_at',
  'disabled_reason',
  'deleted_at',
] as const
type EndpointColumn = (typeof ENDPOINT_COLUMNS)[number]
type ClaimedRow = DeliveryRow & {
  t_callback_url: string | null
  t_callback_secret: string | null
} & { [C in EndpointColumn as `ep_${C}`]: WebhookEndpointsTable[C] | null }

/** The delivery row and its target as `prepare` reads them. */
function split(row: ClaimedRow): { delivery: DeliveryRow; target: Target } {
  const { t_callback_url, t_callback_secret, ...rest } = row
  const ep = Object.fromEntries(ENDPOINT_COLUMNS.map((c) => [c, row[`ep_${c}`]])) as Endpoint
  const delivery = Object.fromEntries(
    Object.entries(rest).filter(([k]) => !k.startsWith('ep_')),
  ) as unknown as DeliveryRow
  return {
    delivery,
    target:
      delivery.target === 'callback'
        ? { callback_url: t_callback_url, callback_secret: t_callback_secret }
        : ep.id === null
          ? null
          : ep,
  }
}

type Endpoint = { [C in EndpointColumn]: WebhookEndpointsTable[C] | null }
/** A callback's task columns, or an endpoint (null: it no longer exists). */
type Target = { callback_url: string | null; callback_secret: string | null } | Endpoint | null

/** A claimed delivery with where and how to send it, or why it cannot be sent any more. */
export interface Claimed {
  delivery: DeliveryRow
  send: { url: string; headers: Record<string, string> } | { undeliverable: string }
}

/** URL and signed headers for the delivery's target, or why it cannot be sent any more. */
function prepare(ctx: Ctx, d: DeliveryRow, target: Target, now: Date): Claimed['send'] {
  const base = { 'content-type': 'application/json' }
  if (d.target === 'callback') {
    const task = target as { callback_url: string | null; callback_secret: string | null }
    if (!task.callback_url || !task.callback_secret) {
      return { undeliverable: 'the task no longer has a callback_url' }
    }
    const secret = openSecret(ctx.secrets, callbackSecretPurpose(d.task_id!), task.callback_secret)
    return {
      url: task.callback_url,
      headers: {
        ...base,
        'x-timestamp': d.event_at,
        'x-signature': callbackSignature(secret, d.payload),
        ...standardHeaders([secret], d.event_id, now, d.payload),
      },
    }
  }
  const ep = target as Endpoint | null
  if (!ep || ep.deleted_at) return { undeliverable: 'the endpoint was deleted' }
  if (ep.disabled_at) {
    return { undeliverable: `the endpoint is disabled (${ep.disabled_reason ?? 'disabled'})` }
  }
  const purpose = endpointSecretPurpose(d.target)
  const secrets = [openSecret(ctx.secrets, purpose, ep.secret!)]
  if (ep.previous_secret && ep.previous_secret_expires_at && ep.previous_secret_expires_at > iso(now)) {
    secrets.push(openSecret(ctx.secrets, purpose, ep.previous_secret))
  }
  return { url: ep.url!, headers: { ...base, ...standardHeaders(secrets, d.event_id, now, d.payload) } }
}

/**
 * Claims up to `limit` due deliveries with their targets (`claimDeliveriesStatement`): one round
 * trip for the batch, where a job per attempt cost a job claim, a delivery lock, a target read and
 * a "done" each.
 */
export async function claimDeliveries(ctx: Ctx, limit: number, shares?: Shares): Promise<Claimed[]> {
  const rows = (await claimDeliveriesStatement(ctx, limit, shares).execute()) as ClaimedRow[]
  const now = ctx.clock.now()
  return rows.map((row) => {
    const { delivery, target } = split(row)
    return { delivery, send: prepare(ctx, delivery, target, now) }
  })
}

/**
 * One attempt at a claimed delivery. The guard runs again here: the URL's host is resolved now and
 * the connection is pinned to the address that passed. A delivery whose target is gone is given
 * up without one.
 */
export async function attemptDelivery(ctx: Ctx, claimed: Claimed): Promise<void> {
  const { delivery, send } = claimed
  if ('undeliverable' in send) {
    await finishUndeliverable(ctx.store.db, delivery, send.undeliverable)
    return
  }
  let outcome: AttemptOutcome
  try {
    const target = await resolveTarget(send.url, ctx.config)
    const sent = await sendWebhook(target, send.headers, delivery.payload, ctx.config.webhookTimeoutMs)
    outcome = { ...sent, url: send.url }
  } catch (err) {
    if (!(err instanceof TargetRefused)) throw err
    outcome = {
      status: null,
      retryAfter: null,
      body: '',
      error: `refused: the URL ${err.message}`,
      durationMs: 0,
      url: send.url,
    }
  }
  await recordAttempt(ctx, delivery, outcome)
}

/**
 * The deliveries lane's work (ADR 0027): attempts claimed straight from `webhook_deliveries`, an
 * agent's share of the lane at a time (`HUMCLI_WEBHOOK_AGENT_CONCURRENCY`).
 */
export const deliveryWork = (ctx: Ctx): LaneWork<Claimed> => ({
  claim: (limit, shares) => claimDeliveries(ctx, limit, shares),
  run: (claimed) => attemptDelivery(ctx, claimed),
  key: (claimed) => claimed.delivery.id,
  group: (claimed) => claimed.delivery.agent_id,
})

/** On shutdown: the attempts still running give their deliveries back, claimable at once elsewhere. */
export async function releaseDeliveries(ctx: Ctx, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0
  const r = await ctx.store.db
    .updateTable('webhook_deliveries')
    .set({ locked_until: null })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}
