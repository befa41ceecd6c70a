import { ApiError, NetworkError, session } from '../api/client.ts'
import { upload } from '../api/upload.ts'
import { t } from '../i18n/index.ts'
import { describeError } from './errors.ts'
import type { Position } from './geo.ts'
import { idbAll, idbDelete, idbPut } from './idb.ts'
import { createStore } from './store.ts'

/**
 * Proof submissions wait here, in IndexedDB, until the server has them: kept across reloads and
 * offline periods, retried when the connection returns, and sent with one Idempotency-Key each
 * (the queue id), so a retry of an upload the server already has is answered, not stored again.
 */
export interface QueuedPhoto {
  name: string
  type: string
  /** The file exactly as chosen: uploaded as is, never re-encoded (EXIF is evidence). */
  blob: Blob
  requirement: string | null
  evidence: Position | null
}

export interface QueuedProof {
  id: string
  taskId: string
  taskTitle: string
  photos: QueuedPhoto[]
  notes: string
  credentials?: Record<string, string>
  createdAt: string
  state: 'waiting' | 'sending' | 'failed'
  error?: string
  /** The photo the server's refusal names, if any. */
  errorPhoto?: number
}

export const queue = createStore<QueuedProof[]>([])
/** Bytes sent so far of the submission being uploaded, by queue id. */
export const progress = createStore<Record<string, number>>({})
/** Task ids whose proof the server has accepted in this page's life. */
export const delivered = createStore<string[]>([])

async function reload() {
  const all = await idbAll<QueuedProof>()
  queue.set(all.sort((a, b) => a.createdAt.localeCompare(b.createdAt)))
}

function formOf(p: QueuedProof): FormData {
  const form = new FormData()
  form.append('notes', p.notes)
  for (const [k, v] of Object.entries(p.credentials ?? {})) if (v) form.append(k, v)
  // What the device reported at capture, per photo; the server takes a position or nothing.
  const evidence = p.photos.map(({ evidence: e, requirement }) =>
    e
      ? {
          lat: e.lat,
          lng: e.lng,
          accuracy_m: e.accuracy_m,
          captured_at: e.at,
          ...(requirement ? { requirement } : {}),
        }
      : null,
  )
  if (evidence.some((e) => e !== null)) form.append('client_evidence', JSON.stringify(evidence))
  for (const ph of p.photos) form.append('photos', ph.blob, ph.name)
  return form
}

async function sendOne(p: QueuedProof): Promise<void> {
  await idbPut({ ...p, state: 'sending', error: undefined, errorPhoto: undefined })
  await reload()
  try {
    await upload(`/operator/tasks/${encodeURIComponent(p.taskId)}/proof`, formOf(p), {
      idempotencyKey: p.id,
      onProgress: (loaded) => progress.set({ ...progress.get(), [p.id]: loaded }),
    })
    await idbDelete(p.id)
    delivered.set([...delivered.get(), p.taskId])
  } catch (err) {
    const retryLater =
      err instanceof NetworkError ||
      (err instanceof ApiError &&
        (err.status === 401 || err.code === 'IDEMPOTENCY_IN_FLIGHT' || err.status >= 500))
    const errorPhoto =
      err instanceof ApiError ? p.photos.findIndex((ph) => err.message.includes(`"${ph.name}"`)) : -1
    await idbPut({
      ...p,
      state: retryLater ? 'waiting' : 'failed',
      error: retryLater
        ? undefined
        : errorPhoto >= 0
          ? t('err.photoRefused', { detail: (err as ApiError).message })
          : describeError(err),
      errorPhoto: errorPhoto >= 0 ? errorPhoto : undefined,
    })
  } finally {
    const { [p.id]: _, ...rest } = progress.get()
    progress.set(rest)
    await reload()
  }
}

let flushing: Promise<void> | null = null

/** Sends every waiting submission, one at a time. */
export function flush(): Promise<void> {
  flushing ??= (async () => {
    try {
      await reload()
      for (const p of queue.get()) if (p.state !== 'failed') await sendOne(p)
    } finally {
      flushing = null
    }
  })()
  return flushing
}

export async function enqueue(p: Omit<QueuedProof, 'id' | 'createdAt' | 'state'>): Promise<void> {
  await idbPut({ ...p, id: crypto.randomUUID(), createdAt: new Date().toISOString(), state: 'waiting' })
  await reload()
  void flush()
}

export async function discard(id: string): Promise<void> {
  await idbDelete(id)
  await reload()
}

/** Starts the queue: now, whenever the connection returns, and every 15 s while something waits. */
export function startQueue(): void {
  void flush()
  addEventListener('online', () => void flush())
  // Signed in again after the session ended: what waited for it goes now.
  session.subscribe(() => session.get() === 'signed-in' && void flush())
  setInterval(() => {
    if (navigator.onLine && queue.get().some((p) => p.state === 'waiting')) void flush()
  }, 15_000)
}

/** A refused submission sent again under a new key, without the photo the server refused. */
export async function resendWithout(id: string, photo: number | undefined): Promise<void> {
  const p = queue.get().find((q) => q.id === id)
  if (!p) return
  await idbDelete(id)
  const photos = photo === undefined ? p.photos : p.photos.filter((_, i) => i !== photo)
  await enqueue({
    taskId: p.taskId,
    taskTitle: p.taskTitle,
    photos,
    notes: p.notes,
    credentials: p.credentials,
  })
}
