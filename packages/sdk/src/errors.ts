/**
 * Typed errors of the SDK. Every failure is a `HumcliError`; `kind` tells what sort it is, so
 * callers may switch on it instead of using `instanceof`.
 */

export type HumcliErrorKind =
  | 'api' // the server answered with an error envelope (status, code, request id)
  | 'network' // no answer: connection refused or dropped, DNS failure
  | 'timeout' // no answer within the client's `timeoutMs`
  | 'wait_timeout' // `waitForTask` ran out of time; carries the last task seen
  | 'invalid_response' // the server answered something that is not our API
  | 'credential' // a sealed credential could not be opened or did not belong to the task
  | 'webhook_signature' // `verifyWebhook` refused a delivery

export interface ErrorDetail {
  path: string
  message: string
}

export class HumcliError extends Error {
  readonly kind: HumcliErrorKind
  /** The API's error code (`NOT_FOUND`, `INVALID_STATE`, …), or the SDK's own for other kinds. */
  readonly code: string
  /** HTTP status, or null when there was no HTTP answer. */
  readonly status: number | null
  readonly requestId: string | null
  readonly details: ErrorDetail[] | undefined
  /** Milliseconds the server asked us to wait (429/503 `Retry-After`), when it did. */
  readonly retryAfterMs: number | null

  constructor(
    message: string,
    init: {
      kind?: HumcliErrorKind
      code: string
      status?: number | null
      requestId?: string | null
      details?: ErrorDetail[]
      retryAfterMs?: number | null
      cause?: unknown
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'HumcliError'
    this.kind = init.kind ?? 'api'
    this.code = init.code
    this.status = init.status ?? null
    this.requestId = init.requestId ?? null
    this.details = init.details
    this.retryAfterMs = init.retryAfterMs ?? null
  }

  /** The request id under the API's own spelling. */
  get request_id(): string | null {
    return this.requestId
  }
}

export class HumcliNetworkError extends HumcliError {
  /** Why the connection failed, in a few words (`connect ECONNREFUSED 127.0.0.1:8787`). */
  readonly reason: string

  constructor(message: string, cause?: unknown, reason = 'network error') {
    super(message, { kind: 'network', code: 'NETWORK_ERROR', cause })
    this.name = 'HumcliNetworkError'
    this.reason = reason
  }
}

export class HumcliTimeoutError extends HumcliError {
  constructor(message: string, cause?: unknown) {
    super(message, { kind: 'timeout', code: 'TIMEOUT', cause })
    this.name = 'HumcliTimeoutError'
  }
}

/** `waitForTask` gave up; `task` is the last state it saw. */
export class WaitTimeoutError<T = unknown> extends HumcliError {
  constructor(
    message: string,
    readonly task: T,
  ) {
    super(message, { kind: 'wait_timeout', code: 'WAIT_TIMEOUT' })
    this.name = 'WaitTimeoutError'
  }
}

export class CredentialError extends HumcliError {
  constructor(message: string, cause?: unknown) {
    super(message, { kind: 'credential', code: 'CREDENTIAL_INVALID', cause })
    this.name = 'CredentialError'
  }
}

export class WebhookVerificationError extends HumcliError {
  constructor(message: string) {
    super(message, { kind: 'webhook_signature', code: 'WEBHOOK_SIGNATURE_INVALID' })
    this.name = 'WebhookVerificationError'
  }
}
