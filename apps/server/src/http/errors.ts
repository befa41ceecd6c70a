import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.ts'
import { DomainError, httpStatus, invalid, RetryLaterError } from '../domain/errors.ts'
import { locateJsonError } from './locate-json-error.ts'
import { validationError } from './validation.ts'

/** The configured limits that error messages quote, so a message never names a limit the server does not apply. */
export type Limits = Pick<Config, 'bodyLimitBytes' | 'uploadMaxBytes' | 'uploadMaxFiles'>

function bytes(n: number): string {
  if (n % 1_048_576 === 0) return `${n / 1_048_576} MB`
  if (n % 1024 === 0) return `${n / 1024} KB`
  return `${n} bytes`
}

/** The 400 for a body that is not JSON; given the text, it says where (line, column, byte offset). */
export function invalidJson(text?: string): DomainError {
  const place = text === undefined ? null : locateJsonError(text)
  if (!place) return invalid('body', 'The request body is not valid JSON.')
  return invalid(
    'body',
    `The request body is not valid JSON: unexpected ${place.found} at line ${place.line}, column ${place.column} (byte ${place.byte}).`,
  )
}

/** Fastify's own errors, said in our words. */
function fromFastify(err: FastifyError, limits: Limits): DomainError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError(
        'PAYLOAD_TOO_LARGE',
        `The request body is too large; JSON bodies may be at most ${bytes(limits.bodyLimitBytes)}.`,
      )
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Unsupported Content-Type: send application/json (or multipart/form-data for uploads).',
      )
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidJson()
    case 'FST_REQ_FILE_TOO_LARGE':
      return new DomainError(
        'PAYLOAD_TOO_LARGE',
        `An uploaded file is larger than the limit of ${bytes(limits.uploadMaxBytes)}.`,
      )
    case 'FST_FILES_LIMIT':
      return new DomainError(
        'PAYLOAD_TOO_LARGE',
        `Too many files: at most ${limits.uploadMaxFiles} photos may be uploaded at once.`,
      )
    case 'FST_ERR_BAD_URL':
      return invalid('url', 'The URL is not valid: a path segment is not properly percent-encoded.')
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return invalid(
        'url',
        'The URL is not valid: a path parameter is longer than 100 characters, and no id is that long.',
      )
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new DomainError('PAYLOAD_TOO_LARGE', 'Too many form fields in this upload.')
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new DomainError('UNSUPPORTED_MEDIA_TYPE', 'This endpoint takes multipart/form-data.')
  }
  if (err.statusCode === 429) {
    return new DomainError(
      'RATE_LIMITED',
      'Too many requests: slow down and retry after the number of seconds in Retry-After.',
    )
  }
  return null
}

/** Any error as our one envelope. */
function sendError(err: FastifyError, req: FastifyRequest, reply: FastifyReply, limits: Limits): void {
  let domain: DomainError | null = null
  if (err instanceof DomainError) domain = err
  else if (err.validation) domain = validationError(err.validation as never, err.validationContext ?? 'body')
  else domain = fromFastify(err, limits)
  if (!domain) {
    req.log.error({ err }, 'unhandled error')
    domain = new DomainError(
      'INTERNAL',
      'Something went wrong on our side; the request id identifies it in our logs.',
    )
  }
  const body: Record<string, unknown> = { error: domain.message, code: domain.code, request_id: req.id }
  if (domain.details) body.details = domain.details
  if (domain instanceof RetryLaterError) reply.header('retry-after', String(domain.retryAfterS))
  reply.code(httpStatus(domain.code)).header('x-request-id', req.id).type('application/json').send(body)
}

/** For Fastify's `frameworkErrors` option: router-level errors (bad URL, over-long path parameter) that never reach the error handler. */
export const frameworkErrors =
  (limits: Limits) => (err: FastifyError, req: FastifyRequest, reply: FastifyReply) =>
    sendError(err, req, reply, limits)

export function installErrorHandler(app: FastifyInstance, limits: Limits): void {
  app.setErrorHandler((err: FastifyError, req, reply) => sendError(err, req, reply, limits))
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      error: `No endpoint ${req.method} ${req.url.split('?')[0]}; see /api/v1/openapi.json for the API.`,
      code: 'NOT_FOUND',
      request_id: req.id,
    })
  })
}
