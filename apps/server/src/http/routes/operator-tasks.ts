import type { MultipartFile } from '@fastify/multipart'
import {
  AcceptBody,
  AcceptedEstimate,
  BrowseQuery,
  type BrowseSort,
  BrowseTaskPage,
  errorResponses,
  IdParams,
  MineQuery,
  OperatorTask,
  OperatorTaskPage,
  ProofSubmitted,
  ReleaseBody,
  ReleasedTask,
  StartedTask,
} from '@humcli/contract'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Ctx } from '../../context.ts'
import { DomainError, invalid } from '../../domain/errors.ts'
import { type AcceptInput, acceptTask } from '../../operators/accept-task.ts'
import { browseTasks, myTasks, operatorGetTask } from '../../operators/browse-tasks.ts'
import { releaseTask } from '../../operators/release-task.ts'
import { startTask } from '../../operators/start-task.ts'
import { parseClientEvidence } from '../../proof/client-evidence.ts'
import { type ProofInput, submitProof, type UploadedFile } from '../../proof/submit-proof.ts'
import { operatorId, requireOperator } from '../auth.ts'
import { findNul, nulRefused } from '../refuse-nul.ts'

const TEXT_FIELDS = new Set([
  'notes',
  'username',
  'password',
  'api_key',
  'credential_notes',
  'client_evidence',
])
const MAX_TEXT = 10_000

/** One uploaded photo as a buffer; over the size limit, a 413 that names the photo and the limit. */
async function readPhoto(ctx: Ctx, filename: string, part: MultipartFile): Promise<Buffer> {
  try {
    return await part.toBuffer()
  } catch (err) {
    if ((err as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw err
    throw new DomainError(
      'PAYLOAD_TOO_LARGE',
      `Photo "${filename}" is larger than the limit of ${(ctx.config.uploadMaxBytes / 1024 / 1024).toFixed(1)} MB per photo.`,
    )
  }
}

/** Reads a proof upload whole (files as buffers, capped by the multipart limits) before anything is stored. */
async function readProof(ctx: Ctx, req: FastifyRequest): Promise<ProofInput> {
  if (!req.isMultipart()) {
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Proof must be sent as multipart/form-data with `photos` files and a `notes` field.',
    )
  }
  const photos: UploadedFile[] = []
  const fields: Record<string, string> = {}
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'photos' && part.fieldname !== 'photos[]') {
        await part.toBuffer().catch(() => {})
        throw invalid(
          part.fieldname,
          `Unknown file field \`${part.fieldname}\`: upload photos in the \`photos\` field.`,
        )
      }
      const filename = part.filename || 'photo'
      if (findNul(filename) !== null) {
        await part.toBuffer().catch(() => {})
        throw nulRefused(`${part.fieldname}.filename`)
      }
      photos.push({ field: part.fieldname, filename, data: await readPhoto(ctx, filename, part) })
    } else {
      if (!TEXT_FIELDS.has(part.fieldname)) {
        throw invalid(
          part.fieldname,
          `Unknown field \`${part.fieldname}\`; accepted: photos, ${[...TEXT_FIELDS].join(', ')}.`,
        )
      }
      const value = String(part.value)
      if (findNul(value) !== null) throw nulRefused(part.fieldname)
      if (value.length > MAX_TEXT)
        throw invalid(part.fieldname, `\`${part.fieldname}\` must be at most ${MAX_TEXT} characters.`)
      fields[part.fieldname] = value
    }
  }
  return {
    photos,
    notes: fields.notes,
    clientEvidence: parseClientEvidence(fields.client_evidence, photos.length),
    credentials: {
      username: fields.username,
      password: fields.password,
      api_key: fields.api_key,
      notes: fields.credential_notes,
    },
  }
}

function parseNear(near: string | undefined) {
  if (!near) return undefined
  const [lat, lng] = near.split(',').map(Number) as [number, number]
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180)
    throw invalid('near', '`near` must be "lat,lng" with lat in [-90, 90] and lng in [-180, 180].')
  return { lat, lng }
}

/** An operator's work: browse and open tasks, accept, start, release, submit proof. */
export function operatorTaskRoutes(app: FastifyInstance, ctx: Ctx): void {
  const auth = requireOperator(ctx)
  const tags = ['operators']
  const security = [{ bearer: [] }]
  type Id = { Params: IdParams }

  app.get<{
    Querystring: {
      task_type?: string
      near?: string
      radius_km?: number
      sort?: BrowseSort
      limit: number
      offset: number
      cursor?: string
    }
  }>(
    '/operator/tasks',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'browseTasks',
        summary: 'Open tasks matching your skills',
        description:
          'PENDING tasks whose deadline is ahead, newest first; with `near`, within `radius_km` (default 25), nearest first. Paged with `limit`/`offset` (compat, at most 10000) or by `cursor` (the `next_cursor` of the previous page).',
        querystring: BrowseQuery,
        response: { 200: BrowseTaskPage, ...errorResponses(400, 401) },
      },
    },
    (req) => browseTasks(ctx, operatorId(req), { ...req.query, near: parseNear(req.query.near) }),
  )
  app.get<{ Querystring: { status?: string; limit: number; offset: number } }>(
    '/operator/tasks/mine',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'listMyTasks',
        summary: 'Tasks assigned to you',
        description: 'Your tasks in any status (or `status`), most recently changed first.',
        querystring: MineQuery,
        response: { 200: OperatorTaskPage, ...errorResponses(400, 401) },
      },
    },
    (req) => myTasks(ctx, operatorId(req), req.query),
  )
  app.get<Id>(
    '/operator/tasks/:id',
    {
      onRequest: auth,
      schema: {
        tags,
        security,
        operationId: 'getOperatorTask',
        summary: 'One open task or one of yours',
        description: "404 for another operator's task.",
        params: IdParams,
        response: { 200: OperatorTask, ...errorResponses(401, 404) },
      },
    },
    (req) => operatorGetTask(ctx, operatorId(req), req.params.id),
  )
  app.post<Id & { Body: AcceptInput }>(
    '/operator/tasks/:id/accept',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'acceptTask',
        summary: 'Accept with a time estimate',
        description: 'PENDING → ESTIMATE_PENDING until the agent approves the estimate (or it lapses).',
        params: IdParams,
        body: AcceptBody,
        response: { 200: AcceptedEstimate, ...errorResponses(400, 401, 403, 404, 409, 410, 422) },
      },
    },
    (req) => acceptTask(ctx, operatorId(req), req.params.id, req.body),
  )
  app.post<Id>(
    '/operator/tasks/:id/start',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'startTask',
        summary: 'Start the work',
        description: 'ACCEPTED → IN_PROGRESS.',
        params: IdParams,
        response: { 200: StartedTask, ...errorResponses(401, 404, 409) },
      },
    },
    async (req) => {
      const t = await startTask(ctx, operatorId(req), req.params.id)
      return { task_id: t.id, status: t.status, started_at: t.started_at }
    },
  )
  app.post<Id & { Body: { reason?: string } | undefined }>(
    '/operator/tasks/:id/release',
    {
      onRequest: auth,
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'releaseTask',
        summary: 'Give the task back',
        description: 'The task is open to other operators again; releases are counted on your profile.',
        params: IdParams,
        body: ReleaseBody,
        response: { 200: ReleasedTask, ...errorResponses(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const t = await releaseTask(ctx, operatorId(req), req.params.id, req.body?.reason)
      return {
        task_id: t.id,
        status: t.status,
        message: 'Task released; it is open to other operators again.',
      }
    },
  )
  app.post<Id>(
    '/operator/tasks/:id/proof',
    {
      onRequest: auth,
      // A retried upload with the same Idempotency-Key is answered from the first, never stored twice.
      config: { idempotent: true },
      schema: {
        tags,
        security,
        operationId: 'submitProof',
        summary: 'Submit proof (multipart: photos, notes, credential fields)',
        description:
          'Up to 10 photos (JPEG, PNG, WebP, AVIF; at most 15 MB and 50 megapixels each), typed by ' +
          'content. Each is re-encoded as a JPEG without metadata; capture time, GPS and camera are ' +
          'read first and kept on the proof (`TaskProof.photo_details`). The Guardian then reviews ' +
          'the proof (`GuardianResult`). Refused uploads store nothing. Optional `client_evidence`: a JSON ' +
          'array, one entry (or null) per photo, of what the device reported at capture ' +
          '(`{lat, lng, accuracy_m, captured_at, requirement?}`), kept on the proof as weaker evidence ' +
          'than EXIF. Send an `Idempotency-Key` so a retried upload is never submitted twice.',
        params: IdParams,
        consumes: ['multipart/form-data'],
        response: { 200: ProofSubmitted, ...errorResponses(400, 401, 403, 404, 409, 410, 413, 415) },
      },
    },
    async (req) => submitProof(ctx, operatorId(req), req.params.id, await readProof(ctx, req)),
  )
}
