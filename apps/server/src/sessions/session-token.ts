import { createHash, randomBytes } from 'node:crypto'
import type { Config } from '../config.ts'

/** Who a session belongs to: the generic part every role shares (ADR 0015). */
export type SessionSubjectKind = 'operator' | 'admin' | 'agent'

/** A refresh token: `hses_` and 32 random bytes; the database keeps only its SHA-256. */
export function newSessionToken(): string {
  return `hses_${randomBytes(32).toString('base64url')}`
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** How long a refresh token lives unused: 12 h for staff (the console's idle timeout), else `sessionTtlMs`. */
export function sessionTtlFor(
  config: Pick<Config, 'sessionTtlMs' | 'staffSessionTtlMs'>,
  kind: SessionSubjectKind,
) {
  return kind === 'admin' ? config.staffSessionTtlMs : config.sessionTtlMs
}
