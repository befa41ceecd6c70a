import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { withTx } from '../store/tx.ts'
import { loadOperatorTask } from '../tasks/load.ts'
import { returnToPending } from '../tasks/unassign.ts'

/** The operator gives the task back before submitting; it reopens and the release is counted. */
export async function releaseTask(ctx: Ctx, operatorId: string, taskId: string, reason?: string) {
  return withTx(ctx.store, async (tx) => {
    const task = await loadOperatorTask(tx, operatorId, taskId)
    assertAction(task.status as TaskStatus, 'release')
    const updated = await returnToPending(
      ctx,
      tx,
      task,
      `operator:${operatorId}`,
      reason?.trim() || 'released by operator',
    )
    await tx
      .updateTable('operators')
      .set({ releases: sql`releases + 1` })
      .where('id', '=', operatorId)
      .execute()
    return updated
  })
}
