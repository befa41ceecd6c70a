const EARTH_RADIUS_KM = 6371.0088
const RAD = Math.PI / 180

/** Great-circle distance in kilometres. */
export function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * RAD
  const dLng = (lng2 - lng1) * RAD
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)))
}

/**
 * Height of a grid cell in degrees of latitude: about 1.1 km. A cell is a whole band of latitude
 * (ADR 0026): the index orders a band's tasks by longitude, so a box is one index range per band.
 */
export const CELL_DEG = 0.01
const ROWS = 180 / CELL_DEG

const row = (lat: number) => Math.min(Math.max(Math.floor((lat + 90) / CELL_DEG), 0), ROWS - 1)

/**
 * The grid cell of a point, stored with a located task (`tasks.geo_cell`) and indexed as
 * `(status, geo_cell, location_lng, …)`: the band of latitude the point lies in. The longitude is
 * not part of the number (the index orders by it inside a band). Migration 0023 computes the same
 * numbers in SQL for tasks that existed before it.
 */
export function geoCell(lat: number, _lng: number): bigint {
  return BigInt(row(lat))
}

/** More bands than this (40° of latitude) and a browse reads the open tasks by status instead. */
export const MAX_CELLS = 4000

/** Every cell (band) a range of latitudes touches, or null when there are more than `MAX_CELLS`. */
export function cellsInBox(minLat: number, maxLat: number): bigint[] | null {
  const [r0, r1] = [row(minLat), row(maxLat)]
  if (r1 - r0 + 1 > MAX_CELLS) return null
  const cells: bigint[] = []
  for (let r = r0; r <= r1; r++) cells.push(BigInt(r))
  return cells
}

export interface Box {
  minLat: number
  maxLat: number
  minLng: number
  maxLng: number
}

/**
 * The bounding box of a circle, in degrees, clamped to the map (no wrap at ±180°). The longitude
 * span is the circle's exact one, `asin(sin δ / cos φ)`, with a margin of 0.1% for rounding; near a
 * pole (the circle holds it) every longitude.
 */
export function boxAround(lat: number, lng: number, radiusKm: number): Box {
  const delta = (radiusKm / EARTH_RADIUS_KM) * 1.001
  const dLat = delta / RAD
  const s = Math.sin(Math.min(delta, Math.PI / 2)) / Math.cos(lat * RAD)
  const dLng = s >= 1 || !(s >= 0) ? 360 : Math.asin(s) / RAD
  return {
    minLat: Math.max(lat - dLat, -90),
    maxLat: Math.min(lat + dLat, 90),
    minLng: Math.max(lng - dLng, -180),
    maxLng: Math.min(lng + dLng, 180),
  }
}

/**
 * A lower bound of the distance from the point (inside `box`) to any point of `outer` outside
 * `box`: the nearest edge of `box` that is not also an edge of `outer`. North–south that is the
 * arc of latitude; east–west, the distance to the great circle of the edge's meridian,
 * `asin(cos φ · sin Δλ)`. Infinity when `box` is `outer`.
 */
export function distanceOutsideKm(lat: number, lng: number, box: Box, outer: Box): number {
  const arc = (deg: number) => EARTH_RADIUS_KM * deg * RAD
  const across = (deg: number) =>
    EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.cos(lat * RAD) * Math.abs(Math.sin(deg * RAD))))
  let d = Number.POSITIVE_INFINITY
  if (box.maxLat < outer.maxLat) d = Math.min(d, arc(box.maxLat - lat))
  if (box.minLat > outer.minLat) d = Math.min(d, arc(lat - box.minLat))
  if (box.maxLng < outer.maxLng) d = Math.min(d, across(box.maxLng - lng))
  if (box.minLng > outer.minLng) d = Math.min(d, across(lng - box.minLng))
  return d
}
