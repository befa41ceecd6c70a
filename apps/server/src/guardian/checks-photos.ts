import { haversineKm } from '../domain/geo.ts'
import type { ClientEvidence } from '../proof/client-evidence.ts'
import type { StoredPhoto } from '../proof/submit-proof.ts'
import { type Check, check, nth } from './check.ts'
import type { PhotoMeasure } from './photo-quality.ts'

/** Below these a photo is refused as evidence (calibrated on textured and blurred test scenes). */
export const QUALITY = {
  minSide: 240,
  /** Grey-level standard deviation: below `blank` nothing is there, below `uniform` almost nothing. */
  blankContrast: 3,
  uniformContrast: 8,
  /** Laplacian variance on the ≤ 512 px grey image: below `blurred` no edge survives. */
  blurred: 12,
  soft: 30,
}

export function photoCountCheck(photos: number, required: number): Check {
  if (photos >= required) {
    return check('photo_count', 100, `${photos} photo(s) for ${required} photo requirement(s).`)
  }
  return check(
    'photo_count',
    (40 * photos) / required,
    `Only ${photos} photo(s) for ${required} photo requirement(s); add a photo for each requirement.`,
  )
}

function photoQuality(m: PhotoMeasure | null, i: number): [number, string] {
  if (!m) return [0, `${nth(i)} does not decode.`]
  if (Math.min(m.width, m.height) < QUALITY.minSide)
    return [10, `${nth(i)} is tiny (${m.width}×${m.height}); send the full-size photo.`]
  if (m.contrast < QUALITY.blankContrast) return [5, `${nth(i)} is blank.`]
  if (m.contrast < QUALITY.uniformContrast)
    return [15, `${nth(i)} is nearly uniform: nothing is recognisable.`]
  if (m.sharpness < QUALITY.blurred)
    return [15, `${nth(i)} is blurred (focus measure ${m.sharpness.toFixed(1)}).`]
  if (m.sharpness < QUALITY.soft) return [65, `${nth(i)} is soft (focus measure ${m.sharpness.toFixed(1)}).`]
  return [100, '']
}

/** Every photo decodes and is usable evidence; the worst photo decides. */
export function photoQualityCheck(measures: (PhotoMeasure | null)[]): Check {
  const judged = measures.map(photoQuality)
  const worst = Math.min(100, ...judged.map(([s]) => s))
  const problems = judged.map(([, r]) => r).filter(Boolean)
  return check(
    'photo_quality',
    worst,
    problems.length
      ? `${problems.join(' ')} Retake it in focus, with the subject filling the frame.`
      : `All ${measures.length} photo(s) decode and are sharp and detailed.`,
  )
}

/** Local solar time offset at a longitude, in ms: what a camera without a zone most likely wrote. */
const solarOffsetMs = (lng: number) => Math.round(lng / 15) * 3_600_000
/** Political zones stray from solar time (and DST adds an hour); with no offset written, allow this. */
const UNKNOWN_ZONE_SLACK_MS = 3 * 3_600_000
const NEAR_MISS_MS = 2 * 3_600_000

/** A capture time as a UTC instant range [earliest, latest], given what the camera wrote. */
function captureInstant(takenAt: string, lng: number | null): [number, number] {
  if (/[+-]\d{2}:\d{2}$|Z$/.test(takenAt)) {
    const t = new Date(takenAt).getTime()
    return [t, t]
  }
  const wall = new Date(`${takenAt}Z`).getTime()
  if (lng === null) return [wall - 14 * 3_600_000, wall + 14 * 3_600_000]
  const t = wall - solarOffsetMs(lng)
  return [t - UNKNOWN_ZONE_SLACK_MS, t + UNKNOWN_ZONE_SLACK_MS]
}

/** EXIF capture times inside the work window (from acceptance to submission, with tolerance). */
export function captureTimeCheck(photos: StoredPhoto[], window: WorkWindow, lng: number | null): Check {
  const from = window.from.getTime() - window.toleranceMs
  const to = window.to.getTime() + window.toleranceMs
  let worst = 100
  const notes: string[] = []
  photos.forEach((p, i) => {
    if (!p.exif.taken_at) {
      worst = Math.min(worst, 60)
      notes.push(`${nth(i)} has no capture time.`)
      return
    }
    const [early, late] = captureInstant(p.exif.taken_at, lng)
    if (late >= from && early <= to) return
    const missBy = late < from ? from - late : early - to
    const when = late < from ? 'before the task was accepted' : 'after the proof was submitted'
    if (missBy <= NEAR_MISS_MS) {
      worst = Math.min(worst, 60)
      notes.push(`${nth(i)} was taken shortly ${when}.`)
    } else {
      worst = Math.min(worst, 5)
      notes.push(`${nth(i)} was taken ${Math.round(missBy / 3_600_000)} h ${when} (${p.exif.taken_at}).`)
    }
  })
  return check(
    'capture_time',
    worst,
    notes.length
      ? `${notes.join(' ')} Photos must be taken while doing the task.`
      : `Every photo was taken during the work window.`,
  )
}

/**
 * What the device reported counts for less than EXIF (ADR 0022): a page can be made to lie.
 * A position is taken only when it is GPS-grade, inside the radius allowing for its accuracy,
 * reported during the work window, and at the time the photo's own EXIF says it was taken; then
 * the photo scores `corroborated`, just the default verify threshold, so any other weakness of
 * the proof sends it to a person. Without the EXIF capture time the device's word stands alone
 * and scores no more than a missing position would, a little above it at most.
 */
export const CLIENT_EVIDENCE = {
  /** Worse than this (m) is a Wi-Fi or IP position: it says nothing about a street corner. */
  maxAccuracyM: 100,
  /** The device's time and the photo's EXIF time must agree within this. */
  agreeMs: 15 * 60_000,
  corroborated: 90,
  uncorroborated: 70,
  /** The device says it was far from the task: a person looks (the photo may be older, from a gallery). */
  farAway: 50,
}

export interface WorkWindow {
  from: Date
  to: Date
  toleranceMs: number
}

/** The location score of a photo without EXIF GPS, from the device's report; [score, note]. */
function clientLocation(
  p: StoredPhoto,
  e: ClientEvidence | null | undefined,
  i: number,
  task: { lat: number; lng: number; radiusM: number },
  window: WorkWindow | undefined,
): [number, string] {
  const none = `${nth(i)} has no GPS position`
  if (!e) return [60, `${none}.`]
  const m = Math.round(haversineKm(e.lat, e.lng, task.lat, task.lng) * 1000)
  const acc = Math.round(e.accuracy_m)
  const reported = `the device reported ${fmtDistance(m)} from the task location (±${acc} m)`
  if (e.accuracy_m > CLIENT_EVIDENCE.maxAccuracyM)
    return [60, `${none}; ${reported}, too imprecise to count.`]
  if (m - e.accuracy_m > 2 * task.radiusM) return [CLIENT_EVIDENCE.farAway, `${none}; ${reported}.`]
  if (m - e.accuracy_m > task.radiusM) return [60, `${none}; ${reported}, outside the radius.`]
  const at = new Date(e.captured_at).getTime()
  const inWindow =
    window !== undefined &&
    at >= window.from.getTime() - window.toleranceMs &&
    at <= window.to.getTime() + window.toleranceMs
  const [early, late] = p.exif.taken_at ? captureInstant(p.exif.taken_at, task.lng) : [Number.NaN, Number.NaN]
  const agrees = at >= early - CLIENT_EVIDENCE.agreeMs && at <= late + CLIENT_EVIDENCE.agreeMs
  if (inWindow && agrees) return [CLIENT_EVIDENCE.corroborated, '']
  const why = !p.exif.taken_at
    ? 'the photo has no capture time to confirm it'
    : !inWindow
      ? 'the report is from outside the work window'
      : "the report's time does not match the photo's capture time"
  return [CLIENT_EVIDENCE.uncorroborated, `${none}; ${reported}, but ${why}.`]
}

/**
 * EXIF GPS of every photo within `location_radius_m` of the task (with a GPS-error margin up to
 * 2×). A photo without EXIF GPS is judged on the device's report instead, which counts for less.
 */
export function locationCheck(
  photos: StoredPhoto[],
  task: { lat: number; lng: number; radiusM: number },
  client: { evidence?: (ClientEvidence | null)[]; window?: WorkWindow } = {},
): Check {
  let worst = 100
  let byDevice = 0
  const notes: string[] = []
  photos.forEach((p, i) => {
    const gps = p.exif.gps
    if (!gps) {
      const [score, note] = clientLocation(p, client.evidence?.[i], i, task, client.window)
      worst = Math.min(worst, score)
      if (note) notes.push(note)
      else byDevice++
      return
    }
    const m = Math.round(haversineKm(gps.lat, gps.lng, task.lat, task.lng) * 1000)
    if (m <= task.radiusM) return
    if (m <= 2 * task.radiusM) {
      worst = Math.min(worst, 60)
      notes.push(`${nth(i)} was taken ${m} m from the task location (radius ${task.radiusM} m).`)
    } else {
      worst = Math.min(worst, 5)
      notes.push(`${nth(i)} was taken ${fmtDistance(m)} from the task location (radius ${task.radiusM} m).`)
    }
  })
  const device = byDevice
    ? ` (${byDevice} photo(s) by the device's reported position, confirmed by their capture time)`
    : ''
  return check(
    'location',
    worst,
    notes.length
      ? `${notes.join(' ')} Photos must be taken at the task location with location tagging on.`
      : `Every photo was taken within ${task.radiusM} m of the task location${device}.`,
  )
}

const fmtDistance = (m: number) => (m >= 1000 ? `${(m / 1000).toFixed(1)} km` : `${m} m`)

/** A photo near-identical to one of another task: reused evidence. Never approved by the machine. */
export function reuseCheck(
  photos: number,
  reused: { photoIndex: number; distance: number }[],
  unindexed: number,
): Check {
  if (reused.length === 0) {
    const note = unindexed ? ` (${unindexed} featureless photo(s) not compared)` : ''
    return check('photo_reuse', 100, `None of the ${photos} photo(s) matches a photo of another task${note}.`)
  }
  const which = [...new Set(reused.map((r) => nth(r.photoIndex)))].join(', ')
  return check(
    'photo_reuse',
    0,
    `${which} is perceptually identical to a photo submitted for another task: possible reused evidence; a person must review it.`,
    { fraud: true },
  )
}
