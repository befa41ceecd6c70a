export interface ExifFacts {
  /**
   * The capture time as the camera wrote it, ISO-8601: with its UTC offset when the camera gave
   * one (`OffsetTimeOriginal`), else a local time without a zone (`2026-11-28T12:00:00`); with
   * milliseconds when the camera wrote `SubSecTimeOriginal`.
   */
  taken_at: string | null
  gps: { lat: number; lng: number } | null
  /** "Make Model", or null. */
  camera: string | null
}

export const NO_EXIF: ExifFacts = { taken_at: null, gps: null, camera: null }

const EXIF_TIME = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/
const OFFSET = /^[+-]\d{2}:\d{2}$/

const SUBSEC = /^\d{1,9}$/

function captureTime(raw: unknown, offset: unknown, subsec: unknown): string | null {
  if (typeof raw !== 'string') return null
  const m = EXIF_TIME.exec(raw)
  if (!m) return null
  // SubSecTimeOriginal holds the fraction of the second as digits ("425" = .425 s); kept to the ms.
  const sub = typeof subsec === 'string' ? subsec.replace(/\0/g, '').trim() : ''
  const fraction = SUBSEC.test(sub) ? `.${sub.padEnd(3, '0').slice(0, 3)}` : ''
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction}`
  if (Number.isNaN(new Date(`${local}Z`).getTime())) return null
  return typeof offset === 'string' && OFFSET.test(offset) ? `${local}${offset}` : local
}

const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\0/g, '').trim() : '')

const EXIF_PREFIX = Buffer.from('Exif\0\0', 'latin1')

/**
 * The facts the Guardian needs from a photo's metadata, read before the metadata is thrown away.
 * `exifBlock` is the EXIF block as sharp found it in any format (JPEG, PNG, WebP, AVIF/HEIC);
 * exifr reads it as TIFF (exifr alone cannot find EXIF in WebP or every AVIF). Values are kept
 * raw (`reviveValues: false`) so no time is silently moved into the server's zone. Unreadable or
 * absent metadata is simply "no facts", never an error.
 */
export async function readExif(exifBlock: Buffer | undefined): Promise<ExifFacts> {
  if (!exifBlock || exifBlock.length < 8) return NO_EXIF
  const tiff = exifBlock.subarray(0, 6).equals(EXIF_PREFIX) ? exifBlock.subarray(6) : exifBlock
  let tags: Record<string, unknown> | undefined
  // Loaded on first use, like sharp: only a process that reads a proof needs it.
  const exifr = (await import('exifr')).default
  try {
    tags = await exifr.parse(tiff, {
      tiff: true,
      exif: true,
      gps: true,
      xmp: false,
      icc: false,
      iptc: false,
      reviveValues: false,
    })
  } catch {
    return NO_EXIF
  }
  if (!tags) return NO_EXIF
  const lat = tags.latitude
  const lng = tags.longitude
  const gps =
    typeof lat === 'number' &&
    typeof lng === 'number' &&
    Number.isFinite(lat) &&
    Number.isFinite(lng) &&
    Math.abs(lat) <= 90 &&
    Math.abs(lng) <= 180
      ? { lat, lng }
      : null
  const camera = [text(tags.Make), text(tags.Model)].filter(Boolean).join(' ').slice(0, 100) || null
  return {
    taken_at: tags.DateTimeOriginal
      ? captureTime(tags.DateTimeOriginal, tags.OffsetTimeOriginal, tags.SubSecTimeOriginal)
      : captureTime(tags.CreateDate, tags.OffsetTimeDigitized, tags.SubSecTimeDigitized),
    gps,
    camera,
  }
}
