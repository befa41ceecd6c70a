const EARTH_RADIUS_KM = 6371.0088

/** Great-circle distance in kilometres. */
export function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180
  const dLat = (lat2 - lat1) * rad
  const dLng = (lng2 - lng1) * rad
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)))
}

/** Size of a grid cell in degrees: about 28 km north–south, so a 25 km browse reads 3–4 rows of cells. */
export const CELL_DEG = 0.25
const ROWS = 180 / CELL_DEG
const COLS = 360 / CELL_DEG

const row = (lat: number) => Math.min(Math.max(Math.floor((lat + 90) / CELL_DEG), 0), ROWS - 1)
const col = (lng: number) => Math.min(Math.max(Math.floor((lng + 180) / CELL_DEG), 0), COLS - 1)

/**
 * The coarse grid cell of a point, stored with a located task (`tasks.geo_cell`) and indexed with
 * status, so that a browse near a point reads only the cells its bounding box touches. Migration
 * 0018 computes the same numbers in SQL for tasks that existed before it.
 */
export function geoCell(lat: number, lng: number): bigint {
  return BigInt(row(lat) * COLS + col(lng))
}

/** More cells than this and a browse reads the open tasks by status instead (a radius of ~1,000 km). */
export const MAX_CELLS = 4000

/**
 * Every cell a bounding box touches, or null when there are more than `MAX_CELLS` of them. The box
 * is clamped to the map as the browse's own bounding-box filter is (no wrap at ±180°).
 */
export function cellsInBox(minLat: number, maxLat: number, minLng: number, maxLng: number): bigint[] | null {
  const [r0, r1, c0, c1] = [row(minLat), row(maxLat), col(minLng), col(maxLng)]
  if ((r1 - r0 + 1) * (c1 - c0 + 1) > MAX_CELLS) return null
  const cells: bigint[] = []
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) cells.push(BigInt(r * COLS + c))
  return cells
}
