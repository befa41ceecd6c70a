import type { Metadata, OutputInfo } from 'sharp'
import { DomainError } from '../domain/errors.ts'
import { detectImageType, type ImageType } from './image-type.ts'
import { differenceHash } from './perceptual-hash.ts'
import { type ExifFacts, readExif } from './read-exif.ts'
import { sharp } from './sharp.ts'

export interface PhotoLimits {
  maxBytes: number
  maxPixels: number
}

/** What we learned from one upload, stored with the proof for the Guardian and the agent. */
export interface PhotoFacts {
  /** The type the operator sent (by magic bytes); the stored file is always JPEG. */
  original_type: ImageType
  /** Of the stored image, orientation applied. */
  width: number
  height: number
  exif: ExifFacts
  /** 64-bit difference hash in hex (`differenceHash`), null for a featureless image. */
  dhash: string | null
}

export interface ProcessedPhoto {
  /** The re-encoded JPEG: orientation applied, no metadata at all. */
  data: Buffer
  facts: PhotoFacts
}

const unsupported = (name: string, why: string) =>
  new DomainError('UNSUPPORTED_MEDIA_TYPE', `Photo "${name}" ${why}`)

/** Refusals that need no decoding at all: empty, too big, not an image type we take. */
export function checkPhotoBytes(name: string, data: Buffer, limits: PhotoLimits): ImageType {
  if (data.length === 0) throw unsupported(name, 'is empty (0 bytes); attach the photo file itself.')
  if (data.length > limits.maxBytes) {
    throw new DomainError(
      'PAYLOAD_TOO_LARGE',
      `Photo "${name}" is ${mb(data.length)}; the limit is ${mb(limits.maxBytes)} per photo.`,
    )
  }
  const type = detectImageType(data)
  if (!type) {
    throw unsupported(
      name,
      'is not a JPEG, PNG, WebP or AVIF/HEIC image (judged by its content, not its name).',
    )
  }
  return type
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`

/**
 * Reads the header only (no pixel is decoded) and refuses an image over the pixel limit, so a
 * small file that would inflate into gigabytes (a decompression bomb) costs nothing.
 */
async function checkDimensions(name: string, data: Buffer, limits: PhotoLimits): Promise<Metadata> {
  let meta: Metadata
  try {
    meta = await sharp(data, { limitInputPixels: false }).metadata()
  } catch {
    throw unsupported(name, 'could not be read as an image (corrupt header); send a JPEG, PNG or WebP photo.')
  }
  const { width, height } = meta
  if (!width || !height)
    throw unsupported(name, 'has no readable dimensions; send a JPEG, PNG or WebP photo.')
  if (width * height > limits.maxPixels) {
    throw new DomainError(
      'PAYLOAD_TOO_LARGE',
      `Photo "${name}" is ${width}×${height} (${((width * height) / 1e6).toFixed(1)} megapixels); ` +
        `the limit is ${limits.maxPixels / 1e6} megapixels. Send a smaller photo.`,
    )
  }
  return meta
}

/**
 * The upload pipeline for one photo (spec §6 "Uploads"): type by magic bytes and size, then the
 * pixel count from the header, then the EXIF facts, then a full decode that applies the EXIF
 * orientation and re-encodes as JPEG with every metadata block (EXIF, XMP, IPTC, ICC, comments)
 * left behind — sharp writes none unless asked. Anything after the image data (a polyglot's
 * payload) is gone too, since only decoded pixels are written. Throws 413/415 naming the photo.
 */
export async function processPhoto(name: string, data: Buffer, limits: PhotoLimits): Promise<ProcessedPhoto> {
  const type = checkPhotoBytes(name, data, limits)
  const meta = await checkDimensions(name, data, limits)
  const exif = await readExif(meta.exif)
  let out: { data: Buffer; info: OutputInfo }
  try {
    out = await sharp(data, { limitInputPixels: limits.maxPixels, failOn: 'warning' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 90 })
      .toBuffer({ resolveWithObject: true })
  } catch {
    const hint =
      type === 'image/heic' ? ' (HEIC/HEVC decoding is not available on this server; send JPEG)' : ''
    throw unsupported(
      name,
      `could not be decoded${hint}: the file is truncated or corrupt. Send the complete photo.`,
    )
  }
  return {
    data: out.data,
    facts: {
      original_type: type,
      width: out.info.width,
      height: out.info.height,
      exif,
      dhash: await differenceHash(out.data),
    },
  }
}
