import type { ErrorCode } from '@humcli/contract/enums'

/** The closed list of error codes (in the contract) and their HTTP statuses. */
export type { ErrorCode } from '@humcli/contract/enums'

export interface ErrorDetail {
  path: string
  message: string
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 400
    case 'UNAUTHORIZED':
      return 401
    case 'INSUFFICIENT_BALANCE':
      return 402
    case 'FORBIDDEN':
    case 'KYC_REQUIRED':
    case 'ACCOUNT_RESTRICTED':
      return 403
    case 'NOT_FOUND':
      return 404
    case 'CONFLICT':
    case 'INVALID_STATE':
    case 'IDEMPOTENCY_IN_FLIGHT':
      return 409
    case 'GONE':
      return 410
    case 'PAYLOAD_TOO_LARGE':
      return 413
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415
    case 'LIMIT_EXCEEDED':
    case 'IDEMPOTENCY_MISMATCH':
      return 422
    case 'RATE_LIMITED':
      return 429
    case 'INTERNAL':
      return 500
    case 'UNAVAILABLE':
      return 503
  }
}

/** A 429 that says when to try again: sent with `Retry-After: <seconds>`. */
export class RetryLaterError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super('RATE_LIMITED', message)
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found.`)
export const invalid = (path: string, message: string) =>
  new DomainError('VALIDATION_FAILED', message, [{ path, message }])
