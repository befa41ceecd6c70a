import assert from 'node:assert/strict'
import { haversineKm } from '../../src/domain/geo.ts'
import { type PhotoDetails, servedEvidence } from '../sandbox/evidence.ts'

/**
 * Fetches every proof photo of a completed sandbox PHYSICAL task: each is a real JPEG (stored
 * without metadata) whose EXIF GPS, as the server read it at upload (`proof.photo_details`), lies
 * within the task's radius. Returns the distances in metres.
 */
export async function assertPhotosWithinRadius(task: {
  location: { lat: number; lng: number } | null
  location_radius_m: number
  proof: { photos: string[]; photo_details: PhotoDetails[] } | null
}): Promise<number[]> {
  assert.ok(task.location, 'a physical task has a location')
  assert.ok(task.proof && task.proof.photos.length > 0, 'the proof has photos')
  const distances: number[] = []
  for (const [i, url] of task.proof.photos.entries()) {
    const res = await fetch(url)
    assert.equal(res.status, 200, `GET ${url}`)
    const detail = task.proof.photo_details[i]
    assert.ok(detail, `photo ${i + 1} has the facts read at upload`)
    const e = await servedEvidence(Buffer.from(await res.arrayBuffer()), detail)
    const meters = haversineKm(task.location.lat, task.location.lng, e.lat, e.lng) * 1000
    assert.ok(
      meters <= task.location_radius_m,
      `GPS ${meters.toFixed(1)} m away, radius ${task.location_radius_m} m`,
    )
    distances.push(meters)
  }
  return distances
}

/** The server environment of the sandbox journeys: fast simulated steps, fast job polling. */
export const SANDBOX_ENV = {
  HUMCLI_SANDBOX_STEP_MS: '200',
  HUMCLI_JOB_POLL_MS: '50',
  LOG_LEVEL: 'warn',
  PORT: '0',
}

/** `humcli serve` compiles the sources with tsx on start: seconds on a busy machine. */
export const START_MS = 90_000
