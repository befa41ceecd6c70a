import { signedFileUrl } from '../blobs/signed-urls.ts'
import type { Ctx } from '../context.ts'
import { notFound } from '../domain/errors.ts'
import { haversineKm } from '../domain/geo.ts'
import { microsToUsd } from '../domain/money.ts'
import { findReusedPhotos } from '../guardian/find-reused-photos.ts'
import type { Tx } from '../store/schema.ts'
import { findTask, type TaskRow } from '../tasks/load.ts'
import { buildTaskView, presentTaskView } from '../tasks/serialize.ts'

type PhotoDetail = { taken_at: string | null; gps: { lat: number; lng: number } | null }

/** Per photo: capture time against the work window, and how far from the task it was taken. */
function photoFacts(t: TaskRow, details: PhotoDetail[]) {
  const windowStart = t.started_at ?? t.accepted_at
  return details.map((d) => {
    const taken = d.taken_at ? new Date(d.taken_at).getTime() : null
    const inWindow =
      taken === null || !windowStart
        ? null
        : taken >= new Date(windowStart).getTime() &&
          taken <= new Date(t.submitted_at ?? t.updated_at).getTime()
    const distance =
      d.gps && t.location_lat !== null && t.location_lng !== null
        ? Math.round(haversineKm(t.location_lat, t.location_lng, d.gps.lat, d.gps.lng) * 1000)
        : null
    return {
      taken_within_work_window: inWindow,
      work_window: { from: windowStart, to: t.submitted_at },
      distance_from_task_m: distance,
      within_radius: distance === null ? null : distance <= Number(t.location_radius_m),
    }
  })
}

/** Photos of other tasks that the reuse check matches, each with the other task and a signed URL. */
async function reuseMatches(ctx: Ctx, db: Tx, taskId: string, baseUrl: string) {
  const own = await db
    .selectFrom('photo_hashes')
    .select(['file_id', 'hash'])
    .where('task_id', '=', taskId)
    .orderBy('file_id')
    .execute()
  const found = await findReusedPhotos(
    db,
    taskId,
    own.map((h) => h.hash),
  )
  if (found.length === 0) return []
  const others = await db
    .selectFrom('photo_hashes as h')
    .innerJoin('tasks as t', 't.id', 'h.task_id')
    .select(['h.file_id', 'h.task_id', 't.title', 't.status', 't.operator_id'])
    .where(
      'h.file_id',
      'in',
      found.map((f) => f.fileId),
    )
    .execute()
  const byFile = new Map(others.map((o) => [o.file_id, o]))
  return found.map((f) => {
    const o = byFile.get(f.fileId)
    return {
      own_photo: own[f.photoIndex]?.file_id ?? null,
      distance_bits: f.distance,
      file_id: f.fileId,
      url: signedFileUrl(ctx, baseUrl, f.fileId),
      task_id: o?.task_id ?? null,
      task_title: o?.title ?? null,
      task_status: o?.status ?? null,
      operator_id: o?.operator_id ?? null,
    }
  })
}

/**
 * `GET /admin/tasks/{id}`: any task as its agent sees it (photos as signed URLs, Guardian checks,
 * history), plus whose it is, its ledger lines, the facts of each photo against the task, and the
 * photos of other tasks the reuse check matches.
 */
export async function adminGetTask(ctx: Ctx, taskId: string, baseUrl: string) {
  const db = ctx.store.db
  const task = await findTask(db, taskId)
  if (!task) throw notFound('Task')
  const view = presentTaskView(ctx, await buildTaskView(db, task), baseUrl)
  const ledger = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
    .select(['t.id as transaction_id', 't.kind', 'e.account_id', 'e.amount_micros', 'e.created_at'])
    .where('t.task_id', '=', taskId)
    .orderBy('e.id')
    .execute()
  const details = (view.proof?.photo_details ?? []) as PhotoDetail[]
  return {
    ...view,
    agent_id: task.agent_id,
    photo_facts: photoFacts(task, details),
    reuse_matches: await reuseMatches(ctx, db, taskId, baseUrl),
    ledger: ledger.map((l) => ({
      transaction_id: l.transaction_id,
      kind: l.kind,
      account: l.account_id,
      amount_usd: microsToUsd(l.amount_micros),
      at: l.created_at,
    })),
  }
}
