import type { FastifyInstance } from 'fastify'
import { invalid } from '../domain/errors.ts'

/**
 * The dotted path (as validation errors name fields) of the first string holding a NUL
 * character, looking through values and object keys; null when there is none. A key with a NUL
 * is reported at the object that holds it.
 */
export function findNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null
  if (value === null || typeof value !== 'object') return null
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], join(path, String(i)))
      if (found !== null) return found
    }
    return null
  }
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000')) return path
    const found = findNul(v, join(path, k))
    if (found !== null) return found
  }
  return null
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key)

/** The 400 for a NUL at `field` (`part` when the whole part is one string). */
export const nulRefused = (field: string) =>
  invalid(field, `\`${field}\` contains a NUL character (\\u0000), which no text field accepts; remove it.`)

const PARTS = ['params', 'query', 'body', 'headers'] as const

/**
 * Refuses NUL in every string of every request before validation, whatever the route's schema:
 * PostgreSQL cannot store it in text or jsonb (a 500 there), and no field of ours means it.
 * Multipart text fields are read by their routes and checked there with `findNul`.
 */
export function installNulRefusal(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    for (const part of PARTS) {
      const found = findNul(req[part])
      if (found !== null) throw nulRefused(found || part)
    }
  })
}
