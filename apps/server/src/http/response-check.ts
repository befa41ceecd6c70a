import fs from 'node:fs'
import { Ajv, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../domain/errors.ts'

type Json = Record<string, unknown>

/**
 * A copy of a response schema that refuses undeclared fields: every object that lists
 * `properties` and says nothing of others gets `additionalProperties: false`. The served
 * document stays open (clients should ignore new fields); the check holds the server to it.
 */
export function closedSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closedSchema)
  if (node === null || typeof node !== 'object') return node
  const out: Json = {}
  for (const [key, value] of Object.entries(node as Json)) {
    out[key] =
      key === 'properties' || key === 'patternProperties'
        ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, closedSchema(v)]))
        : closedSchema(value)
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false
  return out
}

/** The declared schema of one status: `200`, `2xx` or `default`, plain or under `content`. */
function declaredSchema(response: unknown, status: number): unknown {
  const map = (response ?? {}) as Json
  const entry = map[status] ?? map[`${String(status)[0]}xx`] ?? map.default
  if (entry === undefined) return undefined
  const content = (entry as { content?: Record<string, { schema?: unknown }> }).content
  return content ? content['application/json']?.schema : entry
}

function describeErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => {
      const at = e.instancePath || '(body)'
      if (e.keyword === 'additionalProperties') {
        return `${at} has the undeclared field \`${(e.params as { additionalProperty: string }).additionalProperty}\``
      }
      return `${at} ${e.message}`
    })
    .join('; ')
}

/**
 * Test runs only: checks every JSON 2xx body against the response schema its route declares
 * (closed, see `closedSchema`), so a field the OpenAPI document does not describe, a missing one
 * or a wrong type fails the test that caused it — the reply becomes a 500 that says why, the
 * problem is printed to stderr and appended to `violationsFile` for `scripts/run-tests.mjs`.
 * Production never installs it: replies are serialized with plain `JSON.stringify`.
 */
export function installResponseCheck(app: FastifyInstance, violationsFile: string | null): void {
  let ajv: Ajv | null = null
  const compiled = new WeakMap<object, ValidateFunction>()
  const validatorFor = (schema: object): ValidateFunction => {
    if (!ajv) {
      ajv = new Ajv({ strict: false, allErrors: true })
      ;(formatsPlugin as unknown as (a: Ajv) => void)(ajv)
      for (const shared of Object.values(app.getSchemas())) ajv.addSchema(closedSchema(shared) as object)
    }
    let validate = compiled.get(schema)
    if (!validate) {
      validate = ajv.compile(closedSchema(schema) as object)
      compiled.set(schema, validate)
    }
    return validate
  }
  const fail = (req: FastifyRequest, status: number, problem: string): never => {
    const message = `Response check: ${req.method} ${req.routeOptions.url} answered ${status}, but ${problem}.`
    process.stderr.write(`${message}\n`)
    if (violationsFile) fs.appendFileSync(violationsFile, `${message}\n`)
    throw new DomainError('INTERNAL', message)
  }
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const status = reply.statusCode
    if (status < 200 || status > 299 || typeof payload !== 'string') return payload
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload
    const schema = req.routeOptions.schema as { hide?: boolean; response?: unknown } | undefined
    if (!req.routeOptions.url || schema?.hide) return payload
    const declared = declaredSchema(schema?.response, status)
    if (!declared || typeof declared !== 'object') {
      return fail(req, status, `the route declares no ${status} response schema`)
    }
    const validate = validatorFor(declared)
    if (!validate(JSON.parse(payload))) {
      return fail(req, status, `the body does not match its declared schema: ${describeErrors(validate)}`)
    }
    return payload
  })
}
