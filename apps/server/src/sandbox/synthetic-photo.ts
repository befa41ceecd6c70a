/**
 * Real JPEG photos for the sandbox's simulated operator, made at run time: a random gradient,
 * large hard-edged shapes and sensor-like noise (so a rules reviewer finds them sharp, not blank,
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

/** Loaded on first use: every `humcli` command imports the job handlers, few ever draw a photo. */
const loadSharp = async () => (await import('sharp')).default

const WIDTH = 640
const HEIGHT = 480

const CAMERAS: readonly [string, string][] = [
  ['Google', 'Pixel 8'],
  ['Apple', 'iPhone 15'],
  ['samsung', 'SM-S911B'],
  ['Xiaomi', '23049PCD8G'],
  ['OnePlus', 'CPH2581'],
]

// Not a secret: Math.random is plenty for picking shapes and colours.
const rand = (max: number) => Math.floor(Math.random() * max)

const color = () => `rgb(${rand(256)},${rand(256)},${rand(256)})`

/** A random scene as SVG: a gradient and large hard-edged shapes, so no two look alike even shrunk. */
function scene(): string {
  const shapes: string[] = []
  const count = 10 + rand(8)
  for (let i = 0; i < count; i++) {
    const x = rand(WIDTH)
    const y = rand(HEIGHT)
    shapes.push(
      rand(2) === 0
        ? `<rect x="${x - 40}" y="${y - 40}" width="${40 + rand(WIDTH / 2)}" height="${40 + rand(HEIGHT / 2)}" ` +
            `fill="${color()}" transform="rotate(${rand(90) - 45} ${x} ${y})"/>`
        : `<ellipse cx="${x}" cy="${y}" rx="${20 + rand(WIDTH / 4)}" ry="${20 + rand(HEIGHT / 4)}" fill="${color()}"/>`,
    )
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}"><defs>` +
    `<linearGradient id="g" gradientTransform="rotate(${rand(360)} .5 .5)">` +
    `<stop offset="0" stop-color="${color()}"/><stop offset="1" stop-color="${color()}"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>${shapes.join('')}</svg>`
  )
}

/**
 * The scene rendered with sensor-like noise laid over it. libvips does the pixel work on its own
 * threads, so making ten photos does not stall the server's event loop.
 */
async function picture() {
  const sharp = await loadSharp()
  const noise = await sharp({
    create: {
      width: WIDTH,
      height: HEIGHT,
      channels: 3,
      background: { r: 128, g: 128, b: 128 },
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .raw()
    .toBuffer()
  return sharp(Buffer.from(scene()))
    .composite([{ input: noise, raw: { width: WIDTH, height: HEIGHT, channels: 3 }, blend: 'overlay' }])
    .removeAlpha()
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
  return (await picture())
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
