import { OptionalKind } from '@sinclair/typebox'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import { DomainError, type ErrorDetail } from '../domain/errors.ts'

/**
 * Two validators: bodies are checked exactly as sent (no type coercion, unknown fields refused),
 * while query strings and path parameters, which are always text, are coerced to their types.
 */
function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: coerce,
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
  })
  ;(formatsPlugin as unknown as (a: Ajv) => void)(ajv)
  return ajv
}

const bodyAjv = makeAjv(false)
const queryAjv = makeAjv(true)

/**
 * Each route's validator is compiled on its first request, not at start-up: compiling the ~200
 * schemas of the API took Ajv about 400 ms of every `humcli serve` start (issue 11's start-up
 * target), and most processes never see most routes. The schema fuzzing tests
 * (`test/http/schema-fuzz.test.ts`) send a request to every route, so a schema Ajv refuses still
 * fails the suite.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : queryAjv
  let validate: ValidateFunction | undefined
  // Fastify hands a missing body to the validator as null. A body the route declares with
  // Type.Optional (CancelBody, ReleaseBody) may be left out entirely, as the compat docs do.
  const mayBeAbsent = httpPart === 'body' && (schema as Record<symbol, unknown>)[OptionalKind] === 'Optional'
  const check = (data: unknown) => {
    if (mayBeAbsent && data === null) return true
    validate ??= ajv.compile(schema as object)
    return validate(data)
  }
  return Object.defineProperty(check, 'errors', { get: () => validate?.errors }) as ReturnType<
    FastifySchemaCompiler<unknown>
  >
}

function fieldName(err: ErrorObject, part: string): string {
  const path = err.instancePath.replace(/^\//, '').replace(/\//g, '.')
  if (err.keyword === 'required') {
    const missing = (err.params as { missingProperty: string }).missingProperty
    return path ? `${path}.${missing}` : missing
  }
  if (err.keyword === 'additionalProperties') {
    const extra = (err.params as { additionalProperty: string }).additionalProperty
    return path ? `${path}.${extra}` : extra
  }
  return path || part
}

function describe(err: ErrorObject, field: string, part: string): string {
  const p = err.params as Record<string, unknown>
  switch (err.keyword) {
    case 'required':
      return `Missing required field \`${field}\`.`
    case 'additionalProperties':
      return `Unknown field \`${field}\`: it cannot be set here; remove it (see the API reference for the accepted fields).`
    case 'type':
      return `\`${field}\` must be ${p.type === 'integer' ? 'a whole number' : `of type ${p.type}`}.`
    case 'enum':
      return `\`${field}\` must be one of: ${(p.allowedValues as unknown[]).join(', ')}.`
    case 'minLength':
      return p.limit === 1
        ? `\`${field}\` must not be empty.`
        : `\`${field}\` must be at least ${p.limit} characters long.`
    case 'maxLength':
      return `\`${field}\` must be at most ${p.limit} characters long.`
    case 'minItems':
      return `\`${field}\` must have at least ${p.limit} item(s).`
    case 'maxItems':
      return `\`${field}\` must have at most ${p.limit} items.`
    case 'minimum':
      return `\`${field}\` must be at least ${p.limit}.`
    case 'exclusiveMinimum':
      return `\`${field}\` must be greater than ${p.limit}.`
    case 'maximum':
      return `\`${field}\` must be at most ${p.limit}.`
    case 'exclusiveMaximum':
      return `\`${field}\` must be less than ${p.limit}.`
    case 'format':
      return `\`${field}\` must be a valid ${p.format}${p.format === 'date-time' ? ' (ISO-8601, e.g. 2026-04-02T12:00:00.000Z)' : ''}.`
    case 'pattern':
      return `\`${field}\` has an invalid format.`
    default:
      return `${part === 'body' ? 'Request body' : `Request ${part}`} field \`${field}\` ${err.message ?? 'is invalid'}.`
  }
}

/** Turns Ajv's errors into our envelope: a sentence about the first problem, and every problem in `details`. */
export function validationError(errors: ErrorObject[], part: string): DomainError {
  const details: ErrorDetail[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    const field = fieldName(e, part)
    // A union's summary ("must match a schema in anyOf") adds nothing once its branches spoke.
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf') && details.some((d) => d.path === field)) continue
    const message = describe(e, field, part)
    if (seen.has(message)) continue
    seen.add(message)
    details.push({ path: field, message })
  }
  const first = details[0]?.message ?? 'The request is invalid.'
  const more = details.length - 1
  const sentence =
    more === 0 ? first : `${first} ${more} more problem${more === 1 ? '' : 's'} listed in \`details\`.`
  return new DomainError('VALIDATION_FAILED', sentence, details)
}
