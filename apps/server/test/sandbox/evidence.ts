import assert from 'node:assert/strict'
import exifr from 'exifr'
import sharp from 'sharp'
import type { Ctx } from '../../src/context.ts'
import { haversineKm } from '../../src/domain/geo.ts'
import { ledgerCheck } from '../../src/ledger/check.ts'

export interface PhotoEvidence {
  lat: number
  lng: number
  takenAt: Date
  make: string
  model: string
}

/**
 * What a rules reviewer would read from a proof photo: it must be a real JPEG that decodes, with
 * EXIF GPS and a UTC capture time (DateTimeOriginal + SubSecTimeOriginal + OffsetTimeOriginal).
 */
export async function readEvidence(photo: Buffer): Promise<PhotoEvidence> {
  assert.deepEqual([...photo.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG by its magic bytes')
  const meta = await sharp(photo).metadata()
  assert.equal(meta.format, 'jpeg')
  assert.ok((meta.width ?? 0) >= 320 && (meta.height ?? 0) >= 240, 'not a tiny image')
  const stats = await sharp(photo).stats()
  assert.ok(
    stats.channels.every((c) => c.stdev > 20),
    'textured, not uniform',
  )
  assert.ok(stats.sharpness > 1, `sharp, not blurred (sharpness ${stats.sharpness})`)
  const raw = await exifr.parse(photo, { reviveValues: false })
  assert.ok(raw, 'the photo carries EXIF')
  const gps = await exifr.gps(photo)
  assert.ok(gps, 'the photo carries GPS')
  assert.equal(raw.OffsetTimeOriginal, '+00:00')
  const m = /^(\d{4}):(\d\d):(\d\d) (\d\d:\d\d:\d\d)$/.exec(raw.DateTimeOriginal)
  assert.ok(m, `DateTimeOriginal ${raw.DateTimeOriginal}`)
  const takenAt = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}.${raw.SubSecTimeOriginal ?? '000'}Z`)
  return { lat: gps.latitude, lng: gps.longitude, takenAt, make: raw.Make, model: raw.Model }
}

/** What the server read from an uploaded photo's EXIF before stripping it (`proof.photo_details[i]`). */
export interface PhotoDetails {
  taken_at: string | null
  gps: { lat: number; lng: number } | null
  camera: string | null
}

/**
 * A proof photo as the server serves it: a real, textured JPEG with every metadata tag removed by
 * the upload pipeline, and the EXIF facts the pipeline read from the uploaded file beside it.
 */
export async function servedEvidence(photo: Buffer, details: PhotoDetails): Promise<PhotoEvidence> {
  assert.deepEqual([...photo.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG by its magic bytes')
  const meta = await sharp(photo).metadata()
  assert.equal(meta.format, 'jpeg')
  assert.ok((meta.width ?? 0) >= 320 && (meta.height ?? 0) >= 240, 'not a tiny image')
  assert.equal(meta.exif, undefined, 'the stored photo carries no EXIF')
  assert.equal(await exifr.gps(photo).catch(() => undefined), undefined, 'the stored photo carries no GPS')
  assert.ok(details.gps, 'the uploaded photo carried EXIF GPS')
  assert.ok(details.taken_at, 'the uploaded photo carried an EXIF capture time')
  assert.ok(details.camera, 'the uploaded photo named its camera')
  const [make, ...model] = details.camera.split(' ')
  return {
    lat: details.gps.lat,
    lng: details.gps.lng,
    takenAt: new Date(details.taken_at),
    make: make ?? '',
    model: model.join(' '),
  }
}

/** Asserts the evidence lies within the task's radius and work window. */
export function assertWithinTask(
  e: PhotoEvidence,
  task: {
    location: { lat: number; lng: number }
    location_radius_m: number
    started_at: string
    submitted_at: string
  },
): void {
  const meters = haversineKm(task.location.lat, task.location.lng, e.lat, e.lng) * 1000
  assert.ok(
    meters <= task.location_radius_m,
    `GPS ${meters.toFixed(1)} m from the task, radius ${task.location_radius_m} m`,
  )
  const t = e.takenAt.getTime()
  assert.ok(
    t >= new Date(task.started_at).getTime() && t <= new Date(task.submitted_at).getTime(),
    `capture time ${e.takenAt.toISOString()} outside the work window ${task.started_at} … ${task.submitted_at}`,
  )
  assert.ok(e.make && e.model, 'camera make and model')
}

/** Every ledger row and balance, to show that nothing moved. */
export async function ledgerSnapshot(ctx: Ctx) {
  const db = ctx.store.db
  const check = await ledgerCheck(db)
  assert.ok(check.ok, check.problems.join('\n'))
  return {
    transactions: await db.selectFrom('ledger_transactions').selectAll().orderBy('id').execute(),
    entries: await db.selectFrom('ledger_entries').selectAll().orderBy('id').execute(),
    accounts: await db.selectFrom('accounts').selectAll().orderBy('id').execute(),
  }
}
