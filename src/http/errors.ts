import type { FastifyError, FastifyInstance } from 'fastify'
import { DomainError, httpStatus } from '../domain/errors.ts'
import { validationError } from './validation.ts'

/** Fastify's own errors, said in our words. */
function fromFastify(err: FastifyError): DomainError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new DomainError(
        'PAYLOAD_TOO_LARGE',
        'The request body is too large; JSON bodies may be at most 1 MB.',
      )
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new DomainError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Unsupported Content-Type: send application/json (or multipart/form-data for uploads).',
      )
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new DomainError('VALIDATION_FAILED', 'The request body is not valid JSON.')
    case 'FST_REQ_FILE_TOO_LARGE':
      return new DomainError('PAYLOAD_TOO_LARGE', 'An uploaded file is larger than the 15 MB limit.')
    case 'FST_FILES_LIMIT':
      return new DomainError(
        'PAYLOAD_TOO_LARGE',
        'Too many files: at most 10 photos may be uploaded at once.',
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

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    let domain: DomainError | null = null
    if (err instanceof DomainError) domain = err
    else if (err.validation)
      domain = validationError(err.validation as never, err.validationContext ?? 'body')
    else domain = fromFastify(err)
    if (!domain) {
      req.log.error({ err }, 'unhandled error')
      domain = new DomainError(
        'INTERNAL',
        'Something went wrong on our side; the request id identifies it in our logs.',
      )
    }
    const body: Record<string, unknown> = { error: domain.message, code: domain.code, request_id: req.id }
    if (domain.details) body.details = domain.details
    reply.code(httpStatus(domain.code)).type('application/json').send(body)
  })
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      error: `No endpoint ${req.method} ${req.url.split('?')[0]}; see /api/v1/openapi.json for the API.`,
      code: 'NOT_FOUND',
      request_id: req.id,
    })
  })
}
