import type { ReviewResult } from './apply-decision.ts'
import type { Check } from './check.ts'

export interface Thresholds {
  verifyAt: number
  manualAt: number
}

/**
 * The confidence and decision from the checks (ADR 0006):
 *
 *   confidence = min( Σ wᵢ·sᵢ / Σ wᵢ ,  min over gate checks of sᵢ )
 *
 * The weighted mean lets several middling findings add up; the gates make one failed essential
 * (wrong place, stale photo, blurred, missing photos or fields) decisive on its own. Then
 * ≥ verifyAt → VERIFIED, ≥ manualAt → MANUAL_REVIEW, else RESUBMIT — except that any fraud signal
 * (a reused photo) sends the proof to MANUAL_REVIEW whatever the score: never approved by the
 * machine, never bounced back to the operator to try another fake.
 */
export function combineChecks(
  checks: Check[],
  t: Thresholds,
): Omit<ReviewResult, 'reasoning'> & { summary: string } {
  const counted = checks.filter((c) => c.weight > 0)
  const totalWeight = counted.reduce((s, c) => s + c.weight, 0)
  const mean = totalWeight > 0 ? counted.reduce((s, c) => s + c.weight * c.score, 0) / totalWeight : 0
  const gates = counted.filter((c) => c.gate)
  const cap = Math.min(100, ...gates.map((c) => c.score))
  const confidence = Math.round(Math.min(mean, cap))
  const fraud = counted.some((c) => c.fraud)
  const decision = fraud
    ? 'MANUAL_REVIEW'
    : confidence >= t.verifyAt
      ? 'VERIFIED'
      : confidence >= t.manualAt
        ? 'MANUAL_REVIEW'
        : 'RESUBMIT'
  const weak = counted.filter((c) => c.score < t.verifyAt).sort((a, b) => a.score - b.score)
  const summary =
    weak.length === 0 ? `All ${counted.length} checks passed.` : weak.map((c) => c.reason).join(' ')
  return {
    decision,
    confidence,
    checks: checks.map((c) => ({ name: c.name, score: c.score, reason: c.reason, weight: c.weight })),
    summary: fraud ? `Possible fraud. ${summary}` : summary,
  }
}
