import assert from 'node:assert/strict'
import exifr from 'exifr'
import { haversineKm } from '../../src/domain/geo.ts'

/**
 * Fetches every proof photo of a completed sandbox PHYSICAL task and checks it is a real JPEG
 * whose EXIF GPS lies within the task's radius. Returns the distances in metres.
 */
export async function assertPhotosWithinRadius(task: {
  location: { lat: number; lng: number } | null
  location_radius_m: number
  proof: { photos: string[] } | null
}): Promise<number[]> {
  assert.ok(task.location, 'a physical task has a location')
  assert.ok(task.proof && task.proof.photos.length > 0, 'the proof has photos')
  const distances: number[] = []
  for (const url of task.proof.photos) {
    const res = await fetch(url)
    assert.equal(res.status, 200, `GET ${url}`)
    const photo = Buffer.from(await res.arrayBuffer())
    assert.deepEqual([...photo.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG by its magic bytes')
    const gps = await exifr.gps(photo)
    assert.ok(gps, 'the photo carries EXIF GPS')
    const meters = haversineKm(task.location.lat, task.location.lng, gps.latitude, gps.longitude) * 1000
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
