import { invalid } from '../domain/errors.ts'

/**
 * What the operator's device said about one photo when it was taken (the web app sends it from
 * the Geolocation API): weaker than EXIF, because a page can be made to lie (ADR 0022).
 */
export interface ClientEvidence {
  lat: number
  lng: number
  accuracy_m: number
  captured_at: string
  /** The proof requirement the operator tied the photo to, if any. */
  requirement?: string
}

const FIELD = 'client_evidence'

function entry(v: unknown, i: number): ClientEvidence | null {
  if (v === null) return null
  const e = v as Record<string, unknown>
  const ok =
    typeof e === 'object' &&
    typeof e.lat === 'number' &&
    Math.abs(e.lat) <= 90 &&
    typeof e.lng === 'number' &&
    Math.abs(e.lng) <= 180 &&
    typeof e.accuracy_m === 'number' &&
    e.accuracy_m >= 0 &&
    typeof e.captured_at === 'string' &&
    !Number.isNaN(Date.parse(e.captured_at)) &&
    (e.requirement === undefined || (typeof e.requirement === 'string' && e.requirement.length <= 500))
  if (!ok) {
    throw invalid(
      `${FIELD}[${i}]`,
      `\`${FIELD}[${i}]\` must be null or {"lat", "lng", "accuracy_m", "captured_at" (ISO time), "requirement"?}.`,
    )
  }
  const out: ClientEvidence = {
    lat: e.lat as number,
    lng: e.lng as number,
    accuracy_m: e.accuracy_m as number,
    captured_at: new Date(e.captured_at as string).toISOString(),
  }
  if (e.requirement !== undefined) out.requirement = e.requirement as string
  return out
}

/** The `client_evidence` field: a JSON array with one entry (or null) per photo, in upload order. */
export function parseClientEvidence(text: string | undefined, photoCount: number): (ClientEvidence | null)[] {
  if (text === undefined) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw invalid(FIELD, `\`${FIELD}\` must be a JSON array, one entry per photo.`)
  }
  if (!Array.isArray(parsed) || parsed.length !== photoCount) {
    throw invalid(FIELD, `\`${FIELD}\` must be a JSON array with one entry per photo (${photoCount}).`)
  }
  return parsed.map(entry)
}
