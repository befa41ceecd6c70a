import { PostgresAdapter } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { recordEvent } from '../outbox/record-event.ts'
import type { Tx, WebhookDeliveriesTable } from '../store/schema.ts'
import { lockSection, withTx } from '../store/tx.ts'
import { ENDPOINT_FAILING_LIMIT_MS, parseRetryAfter, RETRY_WINDOW_MS, retryDelayMs } from './schedule.ts'
import type { SendResult } from './send.ts'

export type AttemptOutcome = SendResult & { url: string }

const isPostgres = (tx: Tx) => tx.getExecutor().adapter instanceof PostgresAdapter

/**
 * Before giving up every pending delivery of a target at once (an endpoint disabled or deleted):
 * a fan-out running now may be adding deliveries for it without an attempt (`pendingPairs`);
 * waiting for it makes the update see and give up those too.
 */
export const lockFanOutShared = (tx: Tx) =>
  lockSection(tx, isPostgres(tx) ? 'postgres' : 'sqlite', 'fan-out', 'shared')

/**
 * Gives a delivery up without an attempt (its target is gone). Like every statement that finishes
 * a delivery, it lets the next event of its line go: the trigger `webhook_deliveries_release_next`
 * (migration 0029) makes that one ready in the same statement.
 */
export async function finishUndeliverable(tx: Tx, d: WebhookDeliveriesTable, reason: string): Promise<void> {
  await tx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', last_error: reason, locked_until: null })
    .where('id', '=', d.id)
    .where('status', '=', 'pending')
    .execute()
}

/**
 * Disables an endpoint and gives up everything still pending for it. The agent is told: the
 * endpoint shows `status: DISABLED` with the reason, and a `webhook_endpoint.disabled` event goes
 * to the agent's other endpoints that subscribe to it.
 */
export async function disableEndpoint(tx: Tx, endpointId: string, reason: string, now: Date): Promise<void> {
  const disabled = await tx
    .updateTable('webhook_endpoints')
    .set({ disabled_at: iso(now), disabled_reason: reason })
    .where('id', '=', endpointId)
    .where('disabled_at', 'is', null)
    .returning(['agent_id', 'url'])
    .executeTakeFirst()
  if (disabled) {
    await recordEvent(tx, {
      type: 'webhook_endpoint.disabled',
      agentId: disabled.agent_id,
      data: {
        event: 'webhook_endpoint.disabled',
        endpoint_id: endpointId,
        url: disabled.url,
        reason,
        timestamp: iso(now),
      },
      at: now,
    })
  }
  await lockFanOutShared(tx)
  await tx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', last_error: `endpoint disabled: ${reason}`, locked_until: null })
    .where('target', '=', endpointId)
    .where('status', '=', 'pending')
    .execute()
}

async function trackEndpointHealth(tx: Tx, endpointId: string, ok: boolean, now: Date): Promise<void> {
  if (ok) {
    // Only an endpoint that was failing is written: a success locks no row, so one endpoint's
    // concurrent attempts do not queue on it.
    await tx
      .updateTable('webhook_endpoints')
      .set({ failing_since: null })
      .where('id', '=', endpointId)
      .where('failing_since', 'is not', null)
      .execute()
    return
  }
  const ep = await tx
    .updateTable('webhook_endpoints')
    .set((eb) => ({ failing_since: eb.fn.coalesce('failing_since', eb.val(iso(now))) }))
    .where('id', '=', endpointId)
    .returning(['failing_since'])
    .executeTakeFirst()
  if (ep?.failing_since && now.getTime() - Date.parse(ep.failing_since) >= ENDPOINT_FAILING_LIMIT_MS) {
    await disableEndpoint(tx, endpointId, 'failing for 5 days', now)
  }
}

/**
 * Records one attempt: 2xx delivers; 410 from an account endpoint disables it (from a task
 * callback it gives that delivery up); anything else retries on the schedule, honouring
 * Retry-After, until the delivery's retry window closes. A finished delivery lets the next event
 * of its line go (the trigger `webhook_deliveries_release_next`), so a callback's outcome is one
 * statement; an endpoint's success clears its failing mark after it, and its failures are recorded
 * with their consequences in one transaction.
 */
export async function recordAttempt(ctx: Ctx, d: WebhookDeliveriesTable, o: AttemptOutcome): Promise<void> {
  const now = ctx.clock.now()
  const ok = o.status !== null && o.status >= 200 && o.status < 300
  const gone = o.status === 410
  const attempts = Number(d.attempts) + 1
  const nextAt = addMs(now, retryDelayMs(attempts, parseRetryAfter(o.retryAfter, now)))
  // The window opens at the first attempt: an event that waited behind an earlier one of its
  // task still gets its full three days.
  const retryUntil = d.attempts === 0n ? iso(addMs(now, RETRY_WINDOW_MS)) : d.retry_until
  const giveUp = !ok && (gone || nextAt.getTime() > Date.parse(retryUntil))
  // A retry stays the head of its line, due at `next_attempt_at`.
  const status = ok ? 'succeeded' : giveUp ? 'failed' : 'pending'
  const record = (tx: Tx) =>
    tx
      .updateTable('webhook_deliveries')
      .set({
        status,
        attempts: BigInt(attempts),
        last_attempt_at: iso(now),
        last_url: o.url,
        response_status: o.status === null ? null : BigInt(o.status),
        response_body: o.body,
        last_error: o.error ?? (ok ? null : `HTTP ${o.status}`),
        duration_ms: BigInt(o.durationMs),
        delivered_at: ok ? iso(now) : null,
        next_attempt_at: status === 'pending' ? iso(nextAt) : d.next_attempt_at,
        retry_until: retryUntil,
        locked_until: null,
      })
      .where('id', '=', d.id)
      .where('status', '=', 'pending')
      .execute()
  const db = ctx.store.db
  if (d.target === 'callback') {
    await record(db)
  } else if (ok) {
    await record(db)
    await trackEndpointHealth(db, d.target, true, now)
  } else {
    await withTx(ctx.store, async (tx) => {
      await record(tx)
      if (gone) await disableEndpoint(tx, d.target, 'the receiver answered 410 Gone', now)
      else await trackEndpointHealth(tx, d.target, false, now)
    })
  }
}
