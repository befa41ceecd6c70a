import assert from 'node:assert/strict'
import { test } from 'node:test'
import sharp from 'sharp'
import { haversineKm } from '../../src/domain/geo.ts'
import { nearbyPoint, syntheticPhoto } from '../../src/sandbox/synthetic-photo.ts'
import { captureTimes } from '../../src/sandbox/synthetic-proof.ts'
import { readEvidence } from './evidence.ts'

/** A 64-bit difference hash (9×8 greyscale, each pixel against its right neighbour), as duplicate checks use. */
async function dHash(photo: Buffer): Promise<bigint> {
  const px = await sharp(photo).greyscale().resize(9, 8, { fit: 'fill' }).raw().toBuffer()
  let h = 0n
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++) h = (h << 1n) | (px[y * 9 + x]! > px[y * 9 + x + 1]! ? 1n : 0n)
  return h
}

const bits = (n: bigint) => n.toString(2).replaceAll('0', '').length

test('each photo carries the EXIF it was given, is textured and sharp, and no two are alike', async (t) => {
  const started = performance.now()
  const takenAt = new Date('2026-06-01T12:00:07.250Z')
  const photos = []
  for (let i = 0; i < 12; i++)
    photos.push(await syntheticPhoto({ lat: -33.8688, lng: 151.2093, takenAt, caption: `photo ${i}` }))
  t.diagnostic(`12 photos in ${Math.round(performance.now() - started)} ms`)
  for (const p of photos) {
    const e = await readEvidence(p)
    assert.equal(e.takenAt.toISOString(), takenAt.toISOString())
    assert.ok(Math.abs(e.lat + 33.8688) < 1e-6 && Math.abs(e.lng - 151.2093) < 1e-6, `${e.lat},${e.lng}`)
    const sharpness = (await sharp(p).stats()).sharpness
    const blurred = (await sharp(await sharp(p).blur(3).jpeg().toBuffer()).stats()).sharpness
    assert.ok(sharpness > 10 * blurred, `sharpness ${sharpness} vs ${blurred} blurred`)
  }
  const hashes = await Promise.all(photos.map(dHash))
  let closest = 64
  for (let i = 0; i < hashes.length; i++)
    for (let j = i + 1; j < hashes.length; j++) closest = Math.min(closest, bits(hashes[i]! ^ hashes[j]!))
  t.diagnostic(`closest pair differs in ${closest} of 64 dHash bits`)
  assert.ok(closest >= 8, `two photos are perceptually near-identical (${closest} bits apart)`)
})

test('GPS points stay within the distance asked for', () => {
  for (let i = 0; i < 2000; i++) {
    const p = nearbyPoint(52.52, 13.405, 60)
    assert.ok(haversineKm(52.52, 13.405, p.lat, p.lng) * 1000 <= 60.5)
  }
  const far = nearbyPoint(78.2, 15.6, 60)
  assert.ok(haversineKm(78.2, 15.6, far.lat, far.lng) * 1000 <= 60.5, 'also far north')
})

test('capture times: whole seconds inside the work window, in order; the window end when it holds none', () => {
  const start = new Date('2026-06-01T12:00:00.400Z')
  const end = new Date('2026-06-01T12:00:06.100Z')
  const times = captureTimes(start, end, 4)
  assert.deepEqual(
    times.map((d) => d.toISOString()),
    [
      '2026-06-01T12:00:01.000Z',
      '2026-06-01T12:00:02.000Z',
      '2026-06-01T12:00:04.000Z',
      '2026-06-01T12:00:06.000Z',
    ],
  )
  const short = captureTimes(new Date('2026-06-01T12:00:00.100Z'), new Date('2026-06-01T12:00:00.300Z'), 2)
  assert.deepEqual(
    short.map((d) => d.toISOString()),
    ['2026-06-01T12:00:00.300Z', '2026-06-01T12:00:00.300Z'],
  )
})
