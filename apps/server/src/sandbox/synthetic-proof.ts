import { randomBytes } from 'node:crypto'
import type { Config } from '../config.ts'
import type { TaskType } from '../domain/task-types.ts'
import type { ProofInput } from '../proof/submit-proof.ts'
import type { TaskRow } from '../tasks/load.ts'
import { nearbyPoint, syntheticPhoto } from './synthetic-photo.ts'

/** Photos land well inside the task's radius: at most this share of it from the task's point. */
const GPS_SPREAD = 0.3

const DIGITAL_RESULTS: Partial<Record<TaskType, string>> = {
  CAPTCHA_SOLVING: 'solved; the answer was {code}',
  FORM_FILLING: 'form submitted; confirmation number {code}',
  CONTENT_REVIEW: 'reviewed; no problems found, reference {code}',
  DATA_VALIDATION: 'checked every record; all valid, report {code}',
  BROWSER_NAVIGATION: 'followed the steps to the end; session reference {code}',
}

const code = () => `SBX-${randomBytes(4).toString('hex').toUpperCase()}`

/**
 * Capture times inside the work window [start, end], in order, one per photo: whole seconds
 * when the window holds one (EXIF's DateTimeOriginal has whole seconds; SubSecTimeOriginal adds
 * the milliseconds), else the end of the window.
 */
export function captureTimes(start: Date, end: Date, n: number): Date[] {
  const first = Math.ceil(start.getTime() / 1000) * 1000
  const last = Math.floor(end.getTime() / 1000) * 1000
  if (last < first) return Array.from({ length: n }, () => end)
  const seconds = (last - first) / 1000
  return Array.from({ length: n }, (_, i) => {
    const step = n === 1 ? seconds : Math.floor((seconds * i) / (n - 1))
    return new Date(first + step * 1000)
  })
}

/** Notes that answer each proof requirement by name, so a reviewer finds every one covered. */
function notesFor(task: TaskRow, requirements: string[], answer: (req: string, i: number) => string): string {
  const lines = requirements.map((r, i) => `${i + 1}. ${r}: ${answer(r, i)}`)
  return [
    `Simulated operator (sandbox): "${task.title}" is done.`,
    ...lines,
    'This proof is synthetic: no person did this work and no money moved.',
  ].join('\n')
}

/**
 * The simulated operator's proof for a sandbox task, by domain: physical tasks get one real JPEG
 * per proof requirement (at most the upload limit) with EXIF time inside the work window and GPS
 * near the task's location; digital tasks a synthetic result in the notes; credential tasks a
 * synthetic credential (username, password, API key) through the normal credential fields.
 */
export async function syntheticProof(
  config: Pick<Config, 'uploadMaxFiles'>,
  task: TaskRow,
  now: Date,
): Promise<ProofInput> {
  const requirements = JSON.parse(task.proof_requirements) as string[]
  if (task.domain === 'PHYSICAL' && task.location_lat !== null && task.location_lng !== null) {
    const shown = requirements.slice(0, Math.min(10, config.uploadMaxFiles))
    const start = task.started_at ? new Date(task.started_at) : now
    const times = captureTimes(start, now, shown.length)
    const maxMeters = Number(task.location_radius_m) * GPS_SPREAD
    const photos = await Promise.all(
      shown.map(async (caption, i) => {
        const at = nearbyPoint(task.location_lat!, task.location_lng!, maxMeters)
        const data = await syntheticPhoto({ ...at, takenAt: times[i]!, caption })
        return { field: 'photos', filename: `sandbox-${i + 1}.jpg`, data }
      }),
    )
    const where = task.location_address ?? `${task.location_lat}, ${task.location_lng}`
    const notes = notesFor(task, requirements, (_r, i) =>
      i < photos.length ? `done at ${where}, see photo ${i + 1}` : `done at ${where}`,
    )
    return { notes, photos }
  }
  if (task.domain === 'CREDENTIAL') {
    const username = `sandbox_${randomBytes(4).toString('hex')}`
    return {
      notes: notesFor(task, requirements, () => `done; the credential is attached for ${username}`),
      photos: [],
      credentials: {
        username,
        password: randomBytes(12).toString('base64url'),
        api_key: `sk_sandbox_${randomBytes(16).toString('hex')}`,
        notes: 'Synthetic sandbox credential: it opens nothing.',
      },
    }
  }
  const template = DIGITAL_RESULTS[task.task_type as TaskType] ?? 'done; reference {code}'
  return { notes: notesFor(task, requirements, () => template.replace('{code}', code())), photos: [] }
}
