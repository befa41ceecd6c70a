import type { Ctx } from '../context.ts'
import type { StoredProof } from '../proof/submit-proof.ts'
import type { TaskRow } from '../tasks/load.ts'
import { applyReviewDecision, type ReviewResult } from './apply-decision.ts'
import { combineChecks } from './combine.ts'
import { findReusedPhotos } from './find-reused-photos.ts'
import { measurePhoto, type PhotoMeasure } from './photo-quality.ts'
import { runChecks } from './run-checks.ts'
import { visionCheck } from './vision-model.ts'

export const SANDBOX_REASONING = 'Sandbox task: auto-approved with synthetic proof; no money moved.'

/** The stored photos of a proof, in order; a missing blob reads as an empty buffer (does not decode). */
async function loadPhotos(ctx: Ctx, proof: StoredProof): Promise<Buffer[]> {
  const ids = proof.photos.map((p) => p.file_id)
  if (ids.length === 0) return []
  const rows = await ctx.store.db
    .selectFrom('files')
    .select(['id', 'storage_key'])
    .where('id', 'in', ids)
    .execute()
  const keyOf = new Map(rows.map((r) => [r.id, r.storage_key]))
  return Promise.all(
    ids.map(async (id) => {
      const key = keyOf.get(id)
      return (key && (await ctx.blobs.get(key))) || Buffer.alloc(0)
    }),
  )
}

/**
 * Reviews one submitted proof on the rules (and the vision model when configured); decides
 * nothing by itself. Reads the stored photos, measures them, and looks for reused photos.
 */
export async function reviewProof(ctx: Ctx, task: TaskRow): Promise<ReviewResult> {
  const proof = JSON.parse(task.proof ?? '{"photos":[],"notes":null}') as StoredProof
  const images = await loadPhotos(ctx, proof)
  const measures: (PhotoMeasure | null)[] = []
  for (const img of images) measures.push(await measurePhoto(img))
  const reused = await findReusedPhotos(
    ctx.store.db,
    task.id,
    proof.photos.map((p) => p.dhash ?? null),
  )
  const checks = runChecks(ctx.config, { task, proof, measures, reused })
  if (ctx.config.guardianLlmUrl && task.sandbox !== 1n) {
    checks.push(
      await visionCheck(ctx.config, {
        title: task.title,
        description: task.description,
        requirements: JSON.parse(task.proof_requirements),
        notes: proof.notes,
        photos: images.filter((_, i) => measures[i] !== null),
      }),
    )
  }
  const rules = combineChecks(checks, {
    verifyAt: ctx.config.guardianVerifyAt,
    manualAt: ctx.config.guardianManualAt,
  })
  if (task.sandbox === 1n) {
    return {
      decision: 'VERIFIED',
      confidence: 100,
      reasoning: `${SANDBOX_REASONING} For information, the rules scored it ${rules.confidence} (${rules.decision}): ${rules.summary}`,
      checks: rules.checks,
    }
  }
  return {
    decision: rules.decision,
    confidence: rules.confidence,
    reasoning: `${verdictSentence(rules.decision, rules.confidence)} ${rules.summary}`,
    checks: rules.checks,
  }
}

function verdictSentence(decision: ReviewResult['decision'], confidence: number): string {
  switch (decision) {
    case 'VERIFIED':
      return `Verified with confidence ${confidence}.`
    case 'MANUAL_REVIEW':
      return `Needs a person's review (confidence ${confidence}).`
    case 'RESUBMIT':
      return `Not enough evidence (confidence ${confidence}); please fix and resubmit.`
  }
}

/**
 * Job `guardian.review`, queued in the same transaction as a proof submission. Does nothing when
 * the task has moved on since (the job carries the version); otherwise reviews the proof and
 * applies the decision (`applyReviewDecision`, which also records `task.guardian_reviewed`).
 * Running it twice is harmless: the second run finds a newer version.
 */
export async function reviewSubmission(
  ctx: Ctx,
  payload: { taskId: string; version: string },
): Promise<void> {
  const task = await ctx.store.db
    .selectFrom('tasks')
    .selectAll()
    .where('id', '=', payload.taskId)
    .executeTakeFirst()
  if (task?.status !== 'SUBMITTED' || task.version !== BigInt(payload.version)) return
  const result = await reviewProof(ctx, task)
  await applyReviewDecision(ctx, payload.taskId, result, { onlyAtVersion: task.version })
}
