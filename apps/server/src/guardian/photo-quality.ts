import { sharp } from '../proof/sharp.ts'

export interface PhotoMeasure {
  width: number
  height: number
  /** Standard deviation of the grey levels (0–255): near 0 for a blank or uniform image. */
  contrast: number
  /**
   * Variance of the Laplacian of the grey image scaled to at most `MEASURE_SIDE` pixels: a
   * classic focus measure. Sharp edges give large values; a blurred or out-of-focus photo has
   * almost no second-derivative energy.
   */
  sharpness: number
}

const MEASURE_SIDE = 512

/** Measures one stored photo; null when it does not decode. */
export async function measurePhoto(image: Buffer): Promise<PhotoMeasure | null> {
  try {
    const meta = await sharp(image).metadata()
    const { data, info } = await sharp(image)
      .greyscale()
      .resize(MEASURE_SIDE, MEASURE_SIDE, { fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true })
    return {
      width: meta.width ?? info.width,
      height: meta.height ?? info.height,
      contrast: stdev(data),
      sharpness: laplacianVariance(data, info.width, info.height),
    }
  } catch {
    return null
  }
}

function stdev(px: Uint8Array): number {
  let sum = 0
  let sq = 0
  for (const v of px) {
    sum += v
    sq += v * v
  }
  const mean = sum / px.length
  return Math.sqrt(Math.max(0, sq / px.length - mean * mean))
}

/** 4-neighbour Laplacian over the interior pixels, then its variance. */
function laplacianVariance(px: Uint8Array, w: number, h: number): number {
  if (w < 3 || h < 3) return 0
  let sum = 0
  let sq = 0
  let n = 0
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x
      const l = px[i - 1]! + px[i + 1]! + px[i - w]! + px[i + w]! - 4 * px[i]!
      sum += l
      sq += l * l
      n++
    }
  }
  const mean = sum / n
  return sq / n - mean * mean
}
