import { recordFiles, withStoredBlobs } from '../blobs/with-stored-blobs.ts'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { givenFields, PROOF_FIELD_NAME, type ProofCredentialField } from '../credentials/fields.ts'
import { sealCredentials } from '../credentials/seal-credentials.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { assertAction, type TaskStatus } from '../domain/lifecycle.ts'
import { withTx } from '../store/tx.ts'
import { loadOperatorTask } from '../tasks/load.ts'
import { transitionTask } from '../tasks/transition.ts'
import type { ClientEvidence } from './client-evidence.ts'
import { indexPhotoHashes } from './index-photo-hashes.ts'
import { checkPhotoBytes, type PhotoFacts, type ProcessedPhoto, processPhoto } from './process-photo.ts'

/** Every stored proof photo is a re-encoded JPEG, whatever was uploaded (ADR 0006). */
const STORED_TYPE = 'image/jpeg'

export interface UploadedFile {
  field: string
  filename: string
  data: Buffer
}

export interface ProofInput {
  notes?: string
  photos: UploadedFile[]
  /** One entry (or null) per photo, or empty: what the device reported (ADR 0022). */
  clientEvidence?: (ClientEvidence | null)[]
  credentials?: { username?: string; password?: string; api_key?: string; notes?: string }
}

export interface StoredPhoto extends PhotoFacts {
  file_id: string
  /** Always `image/jpeg`: every photo is re-encoded (`processPhoto`). */
  content_type: string
  size_bytes: number
}

export interface StoredProof {
  photos: StoredPhoto[]
  notes: string | null
  submittedAt: string
  /**
   * Which credential fields the operator filled in (never their values), decided at submission
   * so the Guardian can judge presence without touching the encrypted credential.
   */
  credential_fields?: ProofCredentialField[]
  /** Per photo, what the operator's device reported at capture (weaker than EXIF; ADR 0022). */
  client_evidence?: (ClientEvidence | null)[]
}

/** Which fields were given, by their names in the proof (`givenFields`, so what is listed is what is sealed). */
const credentialFields = (creds: NonNullable<ProofInput['credentials']>): ProofCredentialField[] =>
  givenFields(creds).map(([field]) => PROOF_FIELD_NAME[field])

/**
 * Refuses the whole submission before anything is stored: 413 for too many photos, then each
 * photo through the upload pipeline (`processPhoto`: 415 for a non-image or an undecodable one,
 * 413 for too many bytes or pixels). Cheap byte checks run on every photo before any decoding.
 */
async function processPhotos(ctx: Ctx, photos: UploadedFile[]): Promise<ProcessedPhoto[]> {
  if (photos.length > ctx.config.uploadMaxFiles) {
    throw new DomainError(
      'PAYLOAD_TOO_LARGE',
      `At most ${ctx.config.uploadMaxFiles} photos may be submitted; got ${photos.length}.`,
    )
  }
  const limits = { maxBytes: ctx.config.uploadMaxBytes, maxPixels: ctx.config.uploadMaxPixels }
  for (const p of photos) checkPhotoBytes(p.filename, p.data, limits)
  const out: ProcessedPhoto[] = []
  // One at a time: a decoded 50-megapixel photo is ~150 MB of pixels.
  for (const p of photos) out.push(await processPhoto(p.filename, p.data, limits))
  return out
}

export async function submitProof(ctx: Ctx, operatorId: string, taskId: string, input: ProofInput) {
  // Cheap refusals first, so nobody can make the server decode photos for a task that is not
  // theirs or not in progress; the transaction below checks again (compare-and-set).
  const current = await loadOperatorTask(ctx.store.db, operatorId, taskId)
  assertAction(current.status as TaskStatus, 'submitProof')
  const processed = await processPhotos(ctx, input.photos)
  const now = ctx.clock.now()
  const files = processed.map((p) => ({
    id: newId('file'),
    type: STORED_TYPE,
    data: p.data,
    facts: p.facts,
  }))
  const blobs = files.map((f) => ({ key: `proof/${taskId}/${f.id}`, data: f.data, contentType: f.type }))
  return withStoredBlobs(ctx, blobs, () =>
    withTx(ctx.store, async (tx) => {
      const task = await loadOperatorTask(tx, operatorId, taskId)
      assertAction(task.status as TaskStatus, 'submitProof')
      if (new Date(task.deadline).getTime() <= now.getTime()) {
        throw new DomainError(
          'GONE',
          'The deadline of this task has passed; proof can no longer be submitted.',
        )
      }
      const creds = input.credentials ?? {}
      const hasCreds = Object.values(creds).some((v) => v !== undefined && v !== '')
      if (task.domain === 'CREDENTIAL' && !hasCreds) {
        throw new DomainError(
          'VALIDATION_FAILED',
          'Credential tasks need the credential: give at least one of `username`, `password`, `api_key`, `credential_notes`.',
          [{ path: 'username', message: 'credential fields missing' }],
        )
      }
      await recordFiles(
        tx,
        files.map((f) => ({
          id: f.id,
          ownerId: operatorId,
          taskId,
          purpose: 'proof',
          contentType: f.type,
          sizeBytes: f.data.length,
          key: `proof/${taskId}/${f.id}`,
          encrypted: false,
        })),
        now,
      )
      await indexPhotoHashes(
        tx,
        files.map((f) => ({ fileId: f.id, hash: f.facts.dhash })),
        { taskId, operatorId, now },
      )
      const proof: StoredProof = {
        photos: files.map((f) => ({
          file_id: f.id,
          content_type: f.type,
          size_bytes: f.data.length,
          ...f.facts,
        })),
        notes: input.notes?.trim() || null,
        submittedAt: iso(now),
        ...(task.domain === 'CREDENTIAL' ? { credential_fields: credentialFields(creds) } : {}),
        ...(input.clientEvidence?.length ? { client_evidence: input.clientEvidence } : {}),
      }
      const sealedCreds = await sealCredentials(ctx, task, input.credentials)
      const updated = await transitionTask(ctx, tx, {
        task,
        to: 'SUBMITTED',
        actor: `operator:${operatorId}`,
        reason: 'proof submitted',
        patch: {
          proof: JSON.stringify(proof),
          submitted_at: iso(now),
          submit_attempts: task.submit_attempts + 1n,
          ...(sealedCreds ? { credentials: sealedCreds } : {}),
        },
        events: [
          {
            type: 'task.proof_submitted',
            agentId: task.agent_id,
            operatorId,
            taskId,
            data: {
              event: 'task.proof_submitted',
              task_id: taskId,
              photos: files.length,
              timestamp: iso(now),
            },
            at: now,
          },
        ],
        now,
      })
      // The Guardian reviews every submission asynchronously, right away: entering SUBMITTED
      // queued it (ON_ENTER in domain/lifecycle.ts).
      return { task_id: taskId, status: updated.status, submitted_at: iso(now), photos: files.length }
    }),
  )
}
