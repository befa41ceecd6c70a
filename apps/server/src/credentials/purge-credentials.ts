import { sql } from 'kysely'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { enqueueJob } from '../jobs/enqueue.ts'
import type { Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'
import type { TaskRow } from '../tasks/load.ts'

/** Schedules the purge of a completed credential task's credentials, in the completion transaction. */
export async function schedulePurge(ctx: Ctx, tx: Tx, task: Pick<TaskRow, 'id' | 'domain'>, now: Date) {
  if (task.domain !== 'CREDENTIAL') return
  await enqueueJob(tx, {
    kind: 'credentials.purge',
    payload: { taskId: task.id },
    runAt: addMs(now, ctx.config.credentialRetentionMs),
    now,
  })
}

/**
 * Job `credentials.purge`: the retention period after completion is over; the ciphertext is
 * dropped and retrieval answers 410. Idempotent: a second run finds nothing left to purge. The
 * version moves so cached task views show `credential_available: false` at once.
 */
export async function purgeCredentials(ctx: Ctx, payload: { taskId: string }): Promise<void> {
  const now = ctx.clock.now()
  await withTx(ctx.store, async (tx) => {
    await tx
      .updateTable('tasks')
      .set({
        credentials: null,
        credentials_purged_at: iso(now),
        version: sql`version + 1`,
        updated_at: iso(now),
      })
      .where('id', '=', payload.taskId)
      .where('credentials', 'is not', null)
      .where('completed_at', '<=', iso(addMs(now, -ctx.config.credentialRetentionMs)))
      .execute()
  })
}
