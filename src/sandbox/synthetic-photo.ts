import sharp from 'sharp'

/**
 * Real JPEG photos for the sandbox's simulated operator, made at run time: a random gradient,
 * large hard-edged shapes and per-pixel noise (so a rules reviewer finds them sharp, not blank,
 * and no two alike), carrying the EXIF a phone camera writes — capture time, GPS position,
 * make and model. The EXIF says in `ImageDescription` and `Software` that the photo is synthetic.
 */

export interface PhotoSpec {
  /** Where the photo was "taken". */
  lat: number
  lng: number
  /** When it was "taken" (written as UTC, with `OffsetTimeOriginal` +00:00). */
  takenAt: Date
  /** What it shows (the proof requirement it answers). */
  caption: string
}

const WIDTH = 640
const HEIGHT = 480

const CAMERAS: readonly [string, string][] = [
  ['Google', 'Pixel 8'],
  ['Apple', 'iPhone 15'],
  ['samsung', 'SM-S911B'],
  ['Xiaomi', '23049PCD8G'],
  ['OnePlus', 'CPH2581'],
]

// Not a secret: Math.random is plenty for texture, and fast enough for a million pixels.
const rand = (max: number) => Math.floor(Math.random() * max)

/** A random picture: hard edges and noise everywhere, large shapes so no two look alike even small. */
function pixels(): Buffer {
  const buf = Buffer.alloc(WIDTH * HEIGHT * 3)
  const c0 = [rand(256), rand(256), rand(256)]
  const c1 = [rand(256), rand(256), rand(256)]
  const angle = (rand(360) * Math.PI) / 180
  const dx = Math.cos(angle)
  const dy = Math.sin(angle)
  const span = Math.abs(dx) * WIDTH + Math.abs(dy) * HEIGHT
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const f = Math.min(1, Math.max(0, ((x - WIDTH / 2) * dx + (y - HEIGHT / 2) * dy) / span + 0.5))
      const i = (y * WIDTH + x) * 3
      for (let c = 0; c < 3; c++) buf[i + c] = c0[c]! + (c1[c]! - c0[c]!) * f
    }
  }
  const shapes = 10 + rand(10)
  for (let s = 0; s < shapes; s++) {
    const color = [rand(256), rand(256), rand(256)]
    const w = 40 + rand(WIDTH / 2)
    const h = 40 + rand(HEIGHT / 2)
    const x0 = rand(WIDTH - 20)
    const y0 = rand(HEIGHT - 20)
    const round = rand(2) === 0
    for (let y = y0; y < Math.min(HEIGHT, y0 + h); y++) {
      for (let x = x0; x < Math.min(WIDTH, x0 + w); x++) {
        if (round) {
          const nx = (x - x0 - w / 2) / (w / 2)
          const ny = (y - y0 - h / 2) / (h / 2)
          if (nx * nx + ny * ny > 1) continue
        }
        const i = (y * WIDTH + x) * 3
        for (let c = 0; c < 3; c++) buf[i + c] = color[c]!
      }
    }
  }
  for (let i = 0; i < buf.length; i++) buf[i] = Math.min(255, Math.max(0, buf[i]! + rand(33) - 16))
  return buf
}

/** Degrees as EXIF rationals "deg/1 min/1 sec/10000". */
function dms(deg: number): string {
  const a = Math.abs(deg)
  const d = Math.floor(a)
  const m = Math.floor((a - d) * 60)
  const s = ((a - d) * 60 - m) * 60
  return `${d}/1 ${m}/1 ${Math.round(s * 10_000)}/10000`
}

/** `YYYY:MM:DD HH:MM:SS` in UTC, as EXIF writes dates. */
function exifTime(d: Date): { date: string; time: string; subsec: string } {
  const iso = d.toISOString()
  return {
    date: iso.slice(0, 10).replaceAll('-', ':'),
    time: iso.slice(11, 19),
    subsec: iso.slice(20, 23),
  }
}

export async function syntheticPhoto(spec: PhotoSpec): Promise<Buffer> {
  const [make, model] = CAMERAS[rand(CAMERAS.length)]!
  const t = exifTime(spec.takenAt)
  const [h, m, s] = t.time.split(':')
  return sharp(pixels(), { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 88 })
    .withExif({
      IFD0: {
        Make: make,
        Model: model,
        Software: 'humcli sandbox simulator',
        ImageDescription: `Synthetic sandbox photo: ${spec.caption}`.slice(0, 200),
        DateTime: `${t.date} ${t.time}`,
      },
      IFD2: {
        DateTimeOriginal: `${t.date} ${t.time}`,
        OffsetTimeOriginal: '+00:00',
        SubSecTimeOriginal: t.subsec,
      },
      IFD3: {
        GPSVersionID: '2 2 0 0',
        GPSLatitudeRef: spec.lat >= 0 ? 'N' : 'S',
        GPSLatitude: dms(spec.lat),
        GPSLongitudeRef: spec.lng >= 0 ? 'E' : 'W',
        GPSLongitude: dms(spec.lng),
        GPSDateStamp: t.date,
        GPSTimeStamp: `${Number(h)}/1 ${Number(m)}/1 ${Number(s)}/1`,
      },
    })
    .toBuffer()
}

/** A point a random distance (at most `maxMeters`) and direction from (lat, lng). */
export function nearbyPoint(lat: number, lng: number, maxMeters: number): { lat: number; lng: number } {
  const distance = (rand(1001) / 1000) * maxMeters
  const bearing = (rand(3600) / 3600) * 2 * Math.PI
  const metersPerDegLat = 111_320
  const metersPerDegLng = 111_320 * Math.max(Math.cos((lat * Math.PI) / 180), 0.01)
  return {
    lat: lat + (distance * Math.cos(bearing)) / metersPerDegLat,
    lng: lng + (distance * Math.sin(bearing)) / metersPerDegLng,
  }
}
