/**
 * Writes a sample proof photo for the README walk-through: a real JPEG (640×480, sharp, never
 * twice the same) whose EXIF says it was taken now at the given place, by a phone camera, and
 * that it is synthetic. Usage:
 *   node --import tsx scripts/sample-photo.ts front.jpg 52.52 13.405 "the storefront"
 */
import fs from 'node:fs'
import { syntheticPhoto } from '../apps/server/src/sandbox/synthetic-photo.ts'

const [file, lat, lng, caption = 'sample proof photo'] = process.argv.slice(2)
if (!file || !Number.isFinite(Number(lat)) || !Number.isFinite(Number(lng))) {
  process.stderr.write('usage: node --import tsx scripts/sample-photo.ts OUT.jpg LAT LNG [CAPTION]\n')
  process.exit(2)
}
fs.writeFileSync(
  file,
  await syntheticPhoto({ lat: Number(lat), lng: Number(lng), takenAt: new Date(), caption }),
)
process.stdout.write(`${file}: JPEG taken now at ${lat}, ${lng}\n`)
