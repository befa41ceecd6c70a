/** One finding of the Guardian: a score 0–100, why, and how it counts (ADR 0006). */
export interface Check {
  name: string
  score: number
  reason: string
  /** Weight in the mean; 0 = shown for information only. */
  weight: number
  /** A gate: the confidence can never exceed this check's score. */
  gate: boolean
  /** A fraud signal: the proof can never be approved automatically, and people must look. */
  fraud?: boolean
}

export const check = (
  name: string,
  score: number,
  reason: string,
  opts: { weight?: number; gate?: boolean; fraud?: boolean } = {},
): Check => ({
  name,
  score: Math.max(0, Math.min(100, Math.round(score))),
  reason,
  weight: opts.weight ?? 1,
  gate: opts.gate ?? true,
  ...(opts.fraud ? { fraud: true } : {}),
})

/** "photo 2", 1-based, as the operator counts. */
export const nth = (i: number) => `photo ${i + 1}`
