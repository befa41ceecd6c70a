import type { Config } from '../config.ts'
import { NO_EXIF } from '../proof/read-exif.ts'
import type { StoredProof } from '../proof/submit-proof.ts'
import type { TaskRow } from '../tasks/load.ts'
import type { Check } from './check.ts'
import { credentialFieldsCheck, digitalResultCheck, notesCheck } from './checks-content.ts'
import {
  captureTimeCheck,
  locationCheck,
  photoCountCheck,
  photoQualityCheck,
  reuseCheck,
} from './checks-photos.ts'
import type { PhotoMeasure } from './photo-quality.ts'
import { photosRequired } from './requirements.ts'

export interface Evidence {
  task: TaskRow
  proof: StoredProof
  /** One per proof photo, in order; null when the stored photo does not decode. */
  measures: (PhotoMeasure | null)[]
  reused: { photoIndex: number; distance: number }[]
}

/**
 * The rules (spec §8), chosen by the task's domain: physical tasks need photos taken there and
 * then; digital tasks need their result (photos optional); credential tasks need their fields.
 */
export function runChecks(config: Config, e: Evidence): Check[] {
  const { task, proof } = e
  const requirements = JSON.parse(task.proof_requirements) as string[]
  // Proofs stored before the upload pipeline kept EXIF facts read as "no EXIF".
  const photos = proof.photos.map((p) => ({ ...p, exif: p.exif ?? NO_EXIF }))
  const needed = photosRequired(requirements)
  const checks: Check[] = []
  if (task.domain === 'PHYSICAL' || needed > 0) {
    checks.push(photoCountCheck(photos.length, task.domain === 'PHYSICAL' ? Math.max(1, needed) : needed))
  }
  if (photos.length > 0) {
    checks.push(photoQualityCheck(e.measures))
    checks.push(reuseCheck(photos.length, e.reused, photos.filter((p) => !p.dhash).length))
  }
  if (task.domain === 'PHYSICAL' && photos.length > 0) {
    const window = {
      from: new Date(task.accepted_at ?? task.started_at ?? task.created_at),
      to: new Date(proof.submittedAt),
      toleranceMs: config.guardianTimeToleranceMs,
    }
    checks.push(captureTimeCheck(photos, window, task.location_lng))
    if (task.location_lat !== null && task.location_lng !== null) {
      checks.push(
        locationCheck(
          photos,
          { lat: task.location_lat, lng: task.location_lng, radiusM: Number(task.location_radius_m) },
          { evidence: proof.client_evidence, window },
        ),
      )
    }
  }
  if (task.domain === 'PHYSICAL') checks.push(notesCheck(requirements, proof.notes))
  if (task.domain === 'DIGITAL') checks.push(digitalResultCheck(requirements, proof.notes))
  if (task.domain === 'CREDENTIAL') {
    checks.push(credentialFieldsCheck(task.task_type, requirements, proof.credential_fields ?? []))
  }
  return checks
}
