import { sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { enqueueOnce } from '../jobs/enqueue-once.ts'
import type { Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'
import { type PruneName, pruneTargets } from './targets.ts'

/** Batches of one kind per run: a run holds the SQLite writer for a few short statements at a time. */
export const BATCHES_PER_RUN = 4
/** When a run stopped with rows left, the next one comes this soon (other writers go in between). */
export const AGAIN_SOON_MS = 1_000

/** Queues the pruner unless a run is already queued or running (`humcli serve`, `humcli worker`). */
export async function scheduleRetention(ctx: Ctx): Promise<void> {
  const now = ctx.clock.now()
  await withTx(ctx.store, (tx) => enqueueOnce(tx, { kind: 'retention.prune', payload: {}, runAt: now, now }))
}

/** Adds this run's counts to the deployment's totals (read by `/metrics`). */
async function addTotals(tx: Tx, pruned: Partial<Record<PruneName, number>>, now: Date): Promise<void> {
  for (const [name, n] of Object.entries(pruned)) {
    await tx
      .insertInto('retention_totals')
      .values({ name, pruned: BigInt(n), updated_at: iso(now) })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({
          pruned: sql`retention_totals.pruned + excluded.pruned`,
          updated_at: iso(now),
        }),
      )
      .execute()
  }
}

/**
 * Job `retention.prune` (ADR 0025): deletes finished jobs, delivered webhook deliveries and
 * fanned-out outbox events older than their retention periods, and expired idempotency keys, at
 * most `HUMCLI_RETAIN_BATCH` rows per statement and `BATCHES_PER_RUN` statements per kind; then
 * queues its next run, soon when a kind had rows left, else after `HUMCLI_RETAIN_EVERY`. Ledger,
 * tasks, transitions and the audit log are never touched. A failed run is logged and the next one
 * queued all the same, so the chain of runs never stops.
 */
export async function pruneFinished(ctx: Ctx): Promise<Partial<Record<PruneName, number>>> {
  const { retention } = ctx.config
  const now = ctx.clock.now()
  const pruned: Partial<Record<PruneName, number>> = {}
  let more = false
  try {
    for (const t of pruneTargets(retention, now)) {
      for (let i = 0; i < BATCHES_PER_RUN; i++) {
        const n = Number((await t.query(ctx.store.db, retention.batch).executeTakeFirst()).numDeletedRows)
        if (n > 0) pruned[t.name] = (pruned[t.name] ?? 0) + n
        if (n < retention.batch) break
        if (i === BATCHES_PER_RUN - 1) more = true
      }
    }
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'retention run failed; trying again at the next run')
  }
  const next = addMs(now, more ? AGAIN_SOON_MS : retention.everyMs)
  await withTx(ctx.store, async (tx) => {
    await addTotals(tx, pruned, now)
    await enqueueOnce(tx, { kind: 'retention.prune', payload: {}, runAt: next, now }, ['queued'])
  })
  if (Object.keys(pruned).length > 0) ctx.log.info({ pruned, more }, 'retention: pruned finished work')
  return pruned
}
