import { signedFileUrl } from '../blobs/signed-urls.ts'
import type { Ctx } from '../context.ts'
import { microsToUsd } from '../domain/money.ts'
import { operatorRating } from '../operators/load.ts'
import type { StoredPhoto, StoredProof } from '../proof/submit-proof.ts'
import type { Tx } from '../store/schema.ts'
import type { TaskRow } from './load.ts'

export interface TransitionRow {
  from_status: string | null
  to_status: string
  actor: string
  reason: string | null
  at: string
}

export const SANDBOX_NOTICE =
  'This is a simulated task. It will auto-complete with a synthetic operator and proof.'

const parse = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T))

function location(t: TaskRow) {
  return t.location_lat === null || t.location_lng === null
    ? null
    : { lat: t.location_lat, lng: t.location_lng, address: t.location_address }
}

/** What the upload pipeline learned about one proof photo, in the order of `proof.photos`. */
function photoDetails(p: StoredPhoto) {
  return {
    width: p.width ?? null,
    height: p.height ?? null,
    original_type: p.original_type ?? p.content_type,
    taken_at: p.exif?.taken_at ?? null,
    gps: p.exif?.gps ?? null,
    camera: p.exif?.camera ?? null,
  }
}

/** The columns a task's summary shows: a list reads these and no others (not its long texts). */
export const TASK_SUMMARY_COLUMNS = [
  'id',
  'title',
  'status',
  'task_type',
  'reward_micros',
  'operator_id',
  'created_at',
  'deadline',
] as const

/** The compat summary used by `GET /tasks`. */
export function taskSummary(t: Pick<TaskRow, (typeof TASK_SUMMARY_COLUMNS)[number]>) {
  return {
    task_id: t.id,
    title: t.title,
    status: t.status,
    task_type: t.task_type,
    reward_usd: microsToUsd(t.reward_micros),
    operator_id: t.operator_id,
    created_at: t.created_at,
    deadline: t.deadline,
  }
}

/**
 * The full task object an agent sees (spec §5, "Read"), with proof photos still as file ids:
 * `presentTaskView` turns them into signed URLs for one response.
 */
export async function buildTaskView(tx: Tx, t: TaskRow, known?: TransitionRow[]) {
  const transitions =
    known ??
    (await tx
      .selectFrom('task_transitions')
      .select(['from_status', 'to_status', 'actor', 'reason', 'at'])
      .where('task_id', '=', t.id)
      .orderBy('id')
      .execute())
  let operator = null
  if (t.operator_id) {
    const op = await tx
      .selectFrom('operators')
      .select(['id', 'name'])
      .where('id', '=', t.operator_id)
      .executeTakeFirst()
    if (op) operator = { operator_id: op.id, name: op.name, rating: await operatorRating(tx, op.id) }
  }
  const proof = parse<StoredProof>(t.proof)
  // `Object.assign` onto the summary, not `{ ...taskSummary(t), … }`: in V8 a spread followed by
  // this many properties took about 60 µs per object, against about 2 µs this way.
  return Object.assign(taskSummary(t), {
    description: t.description,
    domain: t.domain,
    proof_requirements: JSON.parse(t.proof_requirements) as string[],
    location: location(t),
    location_radius_m: Number(t.location_radius_m),
    digital_instructions: t.digital_instructions,
    agent_public_key: t.agent_public_key,
    callback_url: t.callback_url,
    metadata: parse<Record<string, string>>(t.metadata),
    platform_fee_usd: microsToUsd(t.fee_micros),
    escrow_usd: microsToUsd(t.escrow_micros),
    operator,
    estimate: parse(t.estimate),
    proof: proof && {
      photos: proof.photos.map((p) => p.file_id),
      photo_details: proof.photos.map(photoDetails),
      notes: proof.notes,
      submittedAt: proof.submittedAt,
      ...(proof.credential_fields ? { credential_fields: proof.credential_fields } : {}),
      ...(proof.client_evidence ? { client_evidence: proof.client_evidence } : {}),
    },
    guardian_result: parse(t.guardian_result),
    verify_reason: t.verify_reason,
    resolution: parse(t.resolution),
    transitions: transitions.map((r) => ({
      from: r.from_status,
      to: r.to_status,
      at: r.at,
      actor: r.actor,
      reason: r.reason,
    })),
    created_at: t.created_at,
    accepted_at: t.accepted_at,
    started_at: t.started_at,
    submitted_at: t.submitted_at,
    completed_at: t.completed_at,
    cancelled_at: t.cancelled_at,
    cancel_reason: t.cancel_reason,
    sandbox: t.sandbox === 1n,
    ...(t.sandbox === 1n ? { sandbox_notice: SANDBOX_NOTICE } : {}),
    credential_available: t.domain === 'CREDENTIAL' && t.status === 'COMPLETED' && t.credentials !== null,
  })
}

/** What an operator sees of a task: open-task fields, plus instructions only when it is theirs. */
export function operatorTaskView(t: TaskRow, operatorId: string, distanceKm?: number) {
  const mine = t.operator_id === operatorId
  return {
    task_id: t.id,
    title: t.title,
    description: t.description,
    task_type: t.task_type,
    location: location(t),
    location_radius_m: Number(t.location_radius_m),
    reward_usd: microsToUsd(t.reward_micros),
    deadline: t.deadline,
    proof_requirements: JSON.parse(t.proof_requirements) as string[],
    created_at: t.created_at,
    ...(distanceKm !== undefined ? { distance_km: Math.round(distanceKm * 100) / 100 } : {}),
    ...(mine
      ? {
          status: t.status,
          digital_instructions: t.digital_instructions,
          estimate: parse(t.estimate),
          guardian_result: parse(t.guardian_result),
          verify_reason: t.verify_reason,
          resolution: parse(t.resolution),
          submit_attempts: Number(t.submit_attempts),
        }
      : {}),
  }
}

export type TaskView = Awaited<ReturnType<typeof buildTaskView>>

/** The view as sent: every proof photo as a signed URL that expires (fresh for each response). */
export function presentTaskView(ctx: Ctx, view: TaskView, baseUrl: string) {
  if (!view.proof) return view
  return {
    ...view,
    proof: { ...view.proof, photos: view.proof.photos.map((id) => signedFileUrl(ctx, baseUrl, id)) },
  }
}
