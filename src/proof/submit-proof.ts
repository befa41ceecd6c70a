import { recordFiles, withStoredBlobs } from '../blobs/with-stored-blobs.ts'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { sealCredentials } from '../credentials/seal-credentials.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { assertStatus, type TaskStatus } from '../domain/lifecycle.ts'
import { enqueueJob } from '../jobs/enqueue.ts'
import { recordEvent } from '../outbox/record-event.ts'
import { withTx } from '../store/tx.ts'
import { loadOperatorTask } from '../tasks/load.ts'
import { transitionTask } from '../tasks/transition.ts'
import { detectImageType, type ImageType } from './image-type.ts'

export interface UploadedFile {
  field: string
  filename: string
  data: Buffer
}

export interface ProofInput {
  notes?: string
  photos: UploadedFile[]
  credentials?: { username?: string; password?: string; api_key?: string; notes?: string }
}

export interface StoredProof {
  photos: { file_id: string; content_type: string; size_bytes: number }[]
  notes: string | null
  submittedAt: string
}

/** Refuses the whole submission before anything is stored: 415 for a non-image, 413 for too big or too many. */
function checkPhotos(ctx: Ctx, photos: UploadedFile[]): ImageType[] {
  if (photos.length > ctx.config.uploadMaxFiles) {
    throw new DomainError(
      'PAYLOAD_TOO_LARGE',
      `At most ${ctx.config.uploadMaxFiles} photos may be submitted; got ${photos.length}.`,
    )
  }
  return photos.map((p) => {
    if (p.data.length === 0)
      throw new DomainError('UNSUPPORTED_MEDIA_TYPE', `Photo "${p.filename}" is empty.`)
    if (p.data.length > ctx.config.uploadMaxBytes) {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `Photo "${p.filename}" is larger than ${ctx.config.uploadMaxBytes} bytes.`,
      )
    }
    const type = detectImageType(p.data)
    if (!type) {
      throw new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Photo "${p.filename}" is not a JPEG, PNG or WebP image (judged by its content, not its name).`,
      )
    }
    return type
  })
}

export async function submitProof(ctx: Ctx, operatorId: string, taskId: string, input: ProofInput) {
  const types = checkPhotos(ctx, input.photos)
  const now = ctx.clock.now()
  const files = input.photos.map((p, i) => ({
    id: newId('file'),
    type: types[i]!,
    data: p.data,
  }))
  const blobs = files.map((f) => ({ key: `proof/${taskId}/${f.id}`, data: f.data, contentType: f.type }))
  return withStoredBlobs(ctx, blobs, () =>
    withTx(ctx.store, async (tx) => {
      const task = await loadOperatorTask(tx, operatorId, taskId)
      assertStatus(task.status as TaskStatus, ['IN_PROGRESS'], 'submitted')
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
      const proof: StoredProof = {
        photos: files.map((f) => ({ file_id: f.id, content_type: f.type, size_bytes: f.data.length })),
        notes: input.notes?.trim() || null,
        submittedAt: iso(now),
      }
      const sealedCreds = await sealCredentials(ctx, task, input.credentials)
      const updated = await transitionTask(tx, {
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
        now,
      })
      await recordEvent(tx, {
        type: 'task.proof_submitted',
        agentId: task.agent_id,
        operatorId,
        taskId,
        data: { event: 'task.proof_submitted', task_id: taskId, photos: files.length, timestamp: iso(now) },
        at: now,
      })
      // The Guardian reviews every submission asynchronously, right away.
      await enqueueJob(tx, {
        kind: 'guardian.review',
        payload: { taskId, version: updated.version.toString() },
        runAt: now,
        now,
      })
      return { task_id: taskId, status: updated.status, submitted_at: iso(now), photos: files.length }
    }),
  )
}
