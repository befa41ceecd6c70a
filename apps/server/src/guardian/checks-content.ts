import { type Check, check } from './check.ts'
import { coverage, expectedCredentialFields } from './requirements.ts'

function coverageScore(requirements: string[], notes: string): [number, string] {
  const c = coverage(requirements, notes)
  const score = 60 + (40 * c.covered) / Math.max(1, requirements.length)
  const missing = c.missing.length ? ` Not mentioned: ${c.missing.map((r) => `"${r}"`).join(', ')}.` : ''
  return [score, `The notes cover ${c.covered} of ${requirements.length} requirement(s).${missing}`]
}

/** Physical proof: notes present and speaking to each requirement. */
export function notesCheck(requirements: string[], notes: string | null): Check {
  if (!notes) {
    return check('notes', 20, 'No notes: describe what you did for each requirement.')
  }
  const [score, reason] = coverageScore(requirements, notes)
  return check('notes', score, reason)
}

/** Digital proof: the result itself is in the notes (photos/screenshots are optional). */
export function digitalResultCheck(requirements: string[], notes: string | null): Check {
  if (!notes || notes.length < 2) {
    return check(
      'digital_result',
      0,
      'No result: put the result of the task (text, values, answers) in the notes.',
    )
  }
  const [score, reason] = coverageScore(requirements, notes)
  return check('digital_result', score, `A result is given. ${reason}`)
}

/** Credential proof: the fields the task needs were given (only presence is known here). */
export function credentialFieldsCheck(taskType: string, requirements: string[], given: string[]): Check {
  const expected = expectedCredentialFields(taskType, requirements)
  if (given.length === 0) {
    return check('credential_fields', 0, 'No credential was given.')
  }
  const missing = expected.filter((f) => !given.includes(f))
  if (missing.length === 0) {
    return check('credential_fields', 100, `Credential fields given: ${given.join(', ')}.`)
  }
  return check(
    'credential_fields',
    30,
    `Credential fields missing: ${missing.join(', ')} (given: ${given.join(', ')}); submit every field the task asks for.`,
  )
}
