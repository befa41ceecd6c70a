import assert from 'node:assert/strict'
import { test } from 'node:test'
import sharp from 'sharp'
import { readExif } from '../../src/proof/read-exif.ts'

async function exifBlock(ifd2: Record<string, string>): Promise<Buffer | undefined> {
  const jpeg = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#345' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'Acme', Model: 'Cam 1' }, IFD2: ifd2 })
    .toBuffer()
  return (await sharp(jpeg).metadata()).exif
}

test('capture time keeps the sub-second fraction and the UTC offset the camera wrote', async () => {
  const facts = await readExif(
    await exifBlock({
      DateTimeOriginal: '2026:11:28 12:00:05',
      SubSecTimeOriginal: '425',
      OffsetTimeOriginal: '+00:00',
    }),
  )
  assert.equal(facts.taken_at, '2026-11-28T12:00:05.425+00:00')
  assert.equal(new Date(facts.taken_at!).toISOString(), '2026-11-28T12:00:05.425Z')
  assert.equal(facts.camera, 'Acme Cam 1')
})

test('without sub-seconds or an offset the time is whole seconds, local', async () => {
  const facts = await readExif(await exifBlock({ DateTimeOriginal: '2026:11:28 12:00:05' }))
  assert.equal(facts.taken_at, '2026-11-28T12:00:05')
})

test('a one-digit fraction is tenths of a second', async () => {
  const facts = await readExif(
    await exifBlock({
      DateTimeOriginal: '2026:11:28 12:00:05',
      SubSecTimeOriginal: '7',
      OffsetTimeOriginal: '+02:00',
    }),
  )
  assert.equal(facts.taken_at, '2026-11-28T12:00:05.700+02:00')
})
