/**
 * Real test photos generated at run time with sharp: textured scenes (gradient, shapes, sensor
 * noise) that look like photographs to the quality checks, with whatever EXIF a test needs.
 */
import sharp, { type Sharp } from 'sharp'

export interface PhotoOptions {
  /** Different seeds give different scenes (and perceptual hashes). */
  seed: number
  width?: number
  height?: number
  /** The capture instant; written as the wall-clock time at `offset`. Null: no capture time. */
  takenAt?: Date | null
  /** The zone of the wall-clock time written (e.g. "+02:00"); also written as OffsetTimeOriginal. */
  offset?: string
  /** Leave OffsetTimeOriginal out, as many cameras do: only the local wall-clock time remains. */
  omitOffset?: boolean
  gps?: { lat: number; lng: number } | null
  camera?: { make: string; model: string } | null
  /** EXIF orientation tag (1–8). */
  orientation?: number
  format?: 'jpeg' | 'png' | 'webp' | 'avif'
  /** Gaussian blur sigma applied to the scene (a blurred photo). */
  blur?: number
  /** No EXIF block at all. */
  noExif?: boolean
}

function rng(seed: number) {
  let s = (seed * 2654435761) >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

/** An SVG scene: a two-colour gradient and a couple of dozen shapes, all from the seed. */
function sceneSvg(seed: number, w: number, h: number): string {
  const r = rng(seed)
  const col = () => `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`
  const shapes: string[] = []
  for (let i = 0; i < 24; i++) {
    const x = Math.floor(r() * w)
    const y = Math.floor(r() * h)
    const s = Math.floor(20 + r() * (w / 4))
    shapes.push(
      r() < 0.5
        ? `<rect x="${x}" y="${y}" width="${s}" height="${Math.floor(s * (0.3 + r()))}" fill="${col()}"/>`
        : `<circle cx="${x}" cy="${y}" r="${Math.floor(s / 2)}" fill="${col()}"/>`,
    )
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${col()}"/><stop offset="1" stop-color="${col()}"/></linearGradient></defs>
<rect width="${w}" height="${h}" fill="url(#g)"/>${shapes.join('')}</svg>`
}

const pad = (n: number) => String(n).padStart(2, '0')

/** `2026:11:28 12:00:00`: the wall-clock time of `at` at UTC offset `offset` (e.g. "+01:00"). */
export function exifTime(at: Date, offset = '+00:00'): string {
  const sign = offset.startsWith('-') ? -1 : 1
  const [hh, mm] = offset.slice(1).split(':').map(Number) as [number, number]
  const d = new Date(at.getTime() + sign * (hh * 60 + mm) * 60_000)
  return `${d.getUTCFullYear()}:${pad(d.getUTCMonth() + 1)}:${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

function dms(v: number): string {
  const a = Math.abs(v)
  const deg = Math.floor(a)
  const min = Math.floor((a - deg) * 60)
  const sec = Math.round(((a - deg) * 60 - min) * 60 * 100)
  return `${deg}/1 ${min}/1 ${sec}/100`
}

function exifBlock(o: PhotoOptions) {
  const ifd0: Record<string, string> = {}
  const ifd2: Record<string, string> = {}
  const ifd3: Record<string, string> = {}
  if (o.camera !== null) {
    ifd0.Make = o.camera?.make ?? 'Pixelcam'
    ifd0.Model = o.camera?.model ?? 'P7'
  }
  if (o.takenAt) {
    const offset = o.offset ?? '+00:00'
    ifd2.DateTimeOriginal = exifTime(o.takenAt, offset)
    if (!o.omitOffset) ifd2.OffsetTimeOriginal = offset
  }
  if (o.gps) {
    ifd3.GPSLatitudeRef = o.gps.lat >= 0 ? 'N' : 'S'
    ifd3.GPSLatitude = dms(o.gps.lat)
    ifd3.GPSLongitudeRef = o.gps.lng >= 0 ? 'E' : 'W'
    ifd3.GPSLongitude = dms(o.gps.lng)
  }
  return { IFD0: ifd0, IFD2: ifd2, IFD3: ifd3 }
}

/** A PNG of Gaussian noise around `mean` (0–255). */
function gaussianNoise(width: number, height: number, mean: number, sigma: number): Promise<Buffer> {
  return sharp({
    create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean, sigma } },
  })
    .png()
    .toBuffer()
}

/** A textured photo with the EXIF asked for. */
export async function makePhoto(o: PhotoOptions): Promise<Buffer> {
  const w = o.width ?? 800
  const h = o.height ?? 600
  const scene = await sharp(Buffer.from(sceneSvg(o.seed, w, h)))
    .png()
    .toBuffer()
  const noise = await gaussianNoise(w, h, 128, 18)
  let img = sharp(scene).composite([{ input: noise, blend: 'overlay' }])
  if (o.blur) img = sharp(await img.png().toBuffer()).blur(o.blur)
  return encode(img, o)
}

async function encode(img: Sharp, o: PhotoOptions): Promise<Buffer> {
  const format = o.format ?? 'jpeg'
  let out = format === 'jpeg' ? img.jpeg({ quality: 90 }) : img.toFormat(format)
  if (!o.noExif) out = out.withExif(exifBlock(o))
  if (o.orientation) out = out.withMetadata({ orientation: o.orientation })
  return out.toBuffer()
}

/** A flat image of one colour (blank when white), with optional faint noise, and EXIF as given. */
export async function makeFlat(o: PhotoOptions & { grey?: number; noiseSigma?: number }): Promise<Buffer> {
  const w = o.width ?? 800
  const h = o.height ?? 600
  const g = o.grey ?? 255
  let img = sharp({ create: { width: w, height: h, channels: 3, background: { r: g, g, b: g } } })
  if (o.noiseSigma) {
    img = sharp(await gaussianNoise(w, h, g, o.noiseSigma))
  }
  return encode(img, o)
}

/**
 * An image whose stored pixels tell its orientation: left half black, right half white as
 * displayed. Written rotated with EXIF Orientation 6 (display = rotate 90° clockwise), so a
 * pipeline that applies the orientation stores a landscape image dark on the left.
 */
export async function makeOrientedPhoto(): Promise<{
  data: Buffer
  displayWidth: number
  displayHeight: number
}> {
  // Raw pixels are portrait 300×400, top half white, bottom half black. Orientation 6 means "rotate
  // 90° clockwise to display": the top goes to the right, so the displayed image is black on the left.
  const w = 300
  const h = 400
  const raw = Buffer.alloc(w * h * 3)
  for (let y = 0; y < h; y++) raw.fill(y < h / 2 ? 255 : 0, y * w * 3, (y + 1) * w * 3)
  const data = await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer()
  return { data, displayWidth: h, displayHeight: w }
}

/**
 * Two genuine photos for the default test task (`taskBody`: 52.52, 13.405, two photo
 * requirements): taken a few minutes before `now`, a few metres from the spot, with a camera.
 */
export async function genuinePhotos(
  now: Date,
  seed: number,
  at: { lat: number; lng: number } = { lat: 52.52, lng: 13.405 },
): Promise<Buffer[]> {
  const opts = (s: number): PhotoOptions => ({
    seed: s,
    takenAt: new Date(now.getTime() - 2 * 60_000),
    offset: '+02:00',
    gps: { lat: at.lat + 0.0001, lng: at.lng - 0.0001 },
  })
  return [await makePhoto(opts(seed)), await makePhoto(opts(seed + 50_000))]
}
