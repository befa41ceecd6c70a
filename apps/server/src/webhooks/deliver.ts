import type { ExpressionBuilder } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { callbackSecretPurpose, endpointSecretPurpose, openSecret } from '../credentials/at-rest.ts'
import type { Database, Tx, WebhookDeliveriesTable } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'
import { scheduleAttempt } from './fan-out.ts'
import { type AttemptOutcome, finishUndeliverable, recordAttempt } from './record-attempt.ts'
import { sendWebhook } from './send.ts'
import { callbackSignature, standardHeaders } from './sign.ts'
import { resolveTarget, TargetRefused } from './target-url.ts'

export type DeliveryRow = WebhookDeliveriesTable

/** An attempt's lock on its delivery lasts the request timeout plus this (for recording the outcome). */
const ATTEMPT_LOCK_MARGIN_MS = 15_000

interface Claimed {
  delivery: DeliveryRow
  url: string
  headers: Record<string, string>
}

type DeliveryEb = ExpressionBuilder<Database & { d: WebhookDeliveriesTable }, 'd'>

/**
 * An earlier event of the same task still pending for the same target (`d`): the delivery waits
 * for it, so each task's events arrive in order.
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

/** How long an attempt's lock lasts: the request timeout plus a margin for recording the outcome. */
const lockUntil = (ctx: Ctx, now: Date) =>
  iso(addMs(now, ctx.config.webhookTimeoutMs + ATTEMPT_LOCK_MARGIN_MS))

/** URL and signed headers for the delivery's target, or why it cannot be sent any more. */
async function prepare(
  ctx: Ctx,
  tx: Tx,
  d: DeliveryRow,
  now: Date,
): Promise<{ url: string; headers: Record<string, string> } | string> {
  const base = { 'content-type': 'application/json' }
  if (d.target === 'callback') {
    const task = await tx
      .selectFrom('tasks')
      .select(['callback_url', 'callback_secret'])
      .where('id', '=', d.task_id!)
      .executeTakeFirst()
    if (!task?.callback_url || !task.callback_secret) return 'the task no longer has a callback_url'
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
  const ep = await tx
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', d.target)
    .executeTakeFirst()
  if (!ep || ep.deleted_at) return 'the endpoint was deleted'
  if (ep.disabled_at) return `the endpoint is disabled (${ep.disabled_reason ?? 'disabled'})`
  const purpose = endpointSecretPurpose(ep.id)
  const secrets = [openSecret(ctx.secrets, purpose, ep.secret)]
  if (ep.previous_secret && ep.previous_secret_expires_at && ep.previous_secret_expires_at > iso(now)) {
    secrets.push(openSecret(ctx.secrets, purpose, ep.previous_secret))
  }
  return { url: ep.url, headers: { ...base, ...standardHeaders(secrets, d.event_id, now, d.payload) } }
}

/**
 * The common case in one statement: the delivery is due, unlocked and the first pending event of
 * its task for its target, so the attempt's lock is taken at once (then one read for the target).
 * Anything else — not due, held by another attempt, waiting for an earlier event, gone — goes
 * through `claimCarefully`, which says why.
 */
async function claim(ctx: Ctx, deliveryId: string): Promise<Claimed | null> {
  const now = ctx.clock.now()
  const nowIso = iso(now)
  const d = await ctx.store.db
    .updateTable('webhook_deliveries as d')
    .set({ locked_until: lockUntil(ctx, now) })
    .where('d.id', '=', deliveryId)
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', nowIso)
    .where((eb) => unlocked(eb, nowIso))
    .where((eb) => eb.not(earlierPending(eb)))
    .returningAll()
    .executeTakeFirst()
  if (!d) return claimCarefully(ctx, deliveryId)
  const prepared = await prepare(ctx, ctx.store.db, d, now)
  if (typeof prepared === 'string') {
    await withTx(ctx.store, (tx) => finishUndeliverable(tx, d, prepared, now))
    return null
  }
  return { delivery: d, ...prepared }
}

/** Claims a due delivery for one attempt (a lock, not a status change) in a transaction, or returns null. */
async function claimCarefully(ctx: Ctx, deliveryId: string): Promise<Claimed | null> {
  const now = ctx.clock.now()
  const nowIso = iso(now)
  return withTx(ctx.store, async (tx) => {
    const d = await tx
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', deliveryId)
      .executeTakeFirst()
    if (d?.status !== 'pending' || d.next_attempt_at > nowIso) return null
    if (d.locked_until && d.locked_until > nowIso) {
      // Another attempt holds it — or held it and its process died. Look again when that lock
      // runs out; if the attempt finished by then, the job finds nothing to do.
      await scheduleAttempt(tx, d, new Date(d.locked_until), now)
      return null
    }
    const blocked = await tx
      .selectFrom('webhook_deliveries as d')
      .select('d.id')
      .where('d.id', '=', d.id)
      .where(earlierPending)
      .executeTakeFirst()
    if (blocked) return null
    const prepared = await prepare(ctx, tx, d, now)
    if (typeof prepared === 'string') {
      await finishUndeliverable(tx, d, prepared, now)
      return null
    }
    const r = await tx
      .updateTable('webhook_deliveries as d')
      .set({ locked_until: lockUntil(ctx, now) })
      .where('d.id', '=', d.id)
      .where('d.status', '=', 'pending')
      .where((eb) => unlocked(eb, nowIso))
      .executeTakeFirst()
    if (r.numUpdatedRows === 0n) return null
    return { delivery: d, ...prepared }
  })
}

/**
 * The `webhooks.deliver` job: one attempt at one delivery. A stale job (delivery done, not yet
 * due, or waiting for an earlier event of its task) returns quietly; the attempt that finishes
 * the earlier event schedules the next one. The guard runs again here: the URL's host is
 * resolved now and the connection is pinned to the address that passed.
 */
export async function deliverWebhook(ctx: Ctx, payload: { deliveryId: string }): Promise<void> {
  const claimed = await claim(ctx, payload.deliveryId)
  if (!claimed) return
  let outcome: AttemptOutcome
  try {
    const target = await resolveTarget(claimed.url, ctx.config)
    const sent = await sendWebhook(
      target,
      claimed.headers,
      claimed.delivery.payload,
      ctx.config.webhookTimeoutMs,
    )
    outcome = { ...sent, url: claimed.url }
  } catch (err) {
    if (!(err instanceof TargetRefused)) throw err
    outcome = {
      status: null,
      retryAfter: null,
      body: '',
      error: `refused: the URL ${err.message}`,
      durationMs: 0,
      url: claimed.url,
    }
  }
  await recordAttempt(ctx, claimed.delivery, outcome)
}
