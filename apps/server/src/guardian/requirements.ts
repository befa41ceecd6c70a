/** What the Guardian reads out of a task's free-text proof requirements. */

const PHOTO_WORDS =
  /\b(photo|photos|photograph|photographs|picture|pictures|pic|pics|image|images|screenshot|screenshots|snapshot|snapshots|shot|shots)\b/i

const STOPWORDS = new Set(
  `a an the of and or to in on at for from with by as is are be been it its this that these those
  your you their our my we they he she them any all each every some one two three both either
  into onto over under near inside outside front back side show showing shows include including
  clearly clear visible make sure please must should can will take taken get got also then than
  there here where when which who what how photo photos photograph photographs picture pictures
  pic pics image images screenshot screenshots snapshot snapshots shot shots proof`.split(/\s+/),
)

/** Photos a task asks for: one per requirement that names a photo or screenshot. */
export function photosRequired(requirements: string[]): number {
  return requirements.filter((r) => PHOTO_WORDS.test(r)).length
}

/** A light stem so "hours"/"hour" and "photographed"/"photograph" meet. */
function stem(word: string): string {
  return word
    .replace(/(ing|ed|es|s)$/, '')
    .replace(/(.)\1$/, '$1')
    .slice(0, 8)
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && !STOPWORDS.has(w))

/** The key words of one requirement (stemmed), e.g. "photo of the opening hours" → [open, hour]. */
export function keyWords(requirement: string): string[] {
  return [...new Set(words(requirement).map(stem))]
}

/**
 * Which requirements the notes speak to: a requirement is covered when the notes contain at least
 * one of its key words. Requirements without key words (e.g. "a photo") count as covered.
 */
export function coverage(requirements: string[], notes: string): { covered: number; missing: string[] } {
  const said = new Set(words(notes).map(stem))
  const missing = requirements.filter((r) => {
    const keys = keyWords(r)
    return keys.length > 0 && !keys.some((k) => said.has(k))
  })
  return { covered: requirements.length - missing.length, missing }
}

/** Credential fields a task expects: named in its requirements, else the usual ones for its type. */
export function expectedCredentialFields(taskType: string, requirements: string[]): string[] {
  const text = requirements.join(' ').toLowerCase()
  const named: string[] = []
  if (/\b(username|user name|login|email address|account name)\b/.test(text)) named.push('username')
  if (/\bpassword\b/.test(text)) named.push('password')
  if (/\b(api[ _-]?key|token|secret key|access key)\b/.test(text)) named.push('api_key')
  if (named.length > 0) return named
  switch (taskType) {
    case 'API_KEY_PROCUREMENT':
      return ['api_key']
    case 'ACCOUNT_CREATION':
    case 'SUBSCRIPTION_SETUP':
      return ['username', 'password']
    default:
      return []
  }
}
