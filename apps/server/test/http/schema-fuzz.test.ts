/**
 * Schema fuzzing (issue 16): every operation of the served OpenAPI document gets a valid-looking
 * request built from its schemas, then mutations of it — each field missing, of the wrong type,
 * empty, very long, with a NUL, at and past its bounds, huge numbers, unknown fields, odd ids and
 * query values. No answer may be a 5xx, and every answer whose status has a declared JSON schema
 * must match it (Ajv). No npm fuzzer for OpenAPI runs on Node 20 offline, so this is our own
 * small generator; it prints the cases run and every failure.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { Ajv } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { request } from '../helpers/api.ts'
import { newAdmin, newAgent, newOperator } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

type Schema = Record<string, any>
interface Op {
  method: string
  path: string
  op: Schema
}
interface Case {
  name: string
  path: string
  query: Record<string, string>
  body?: unknown
}

const NUL = 'a\u0000b'
const LONG = 'x'.repeat(20_000)
const HUGE = [1e308, -1e308, 2 ** 64, 1e20, -1, 0, 0.5, Number.MAX_SAFE_INTEGER + 2]

/** A value that satisfies `s` as far as a small generator can (patterns we use are known). */
function sample(s: Schema | undefined, doc: Schema): unknown {
  if (!s) return 'x'
  if (s.$ref) return sample(resolve(doc, s.$ref), doc)
  if (s.default !== undefined) return s.default
  if (s.enum) return s.enum[0]
  if (s.const !== undefined) return s.const
  if (s.anyOf || s.oneOf) return sample((s.anyOf ?? s.oneOf)[0], doc)
  const type = Array.isArray(s.type) ? s.type[0] : s.type
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries<Schema>(s.properties ?? {})) {
        if ((s.required ?? []).includes(k)) out[k] = sample(v, doc)
      }
      return out
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sample(s.items, doc))
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1)
    case 'boolean':
      return true
    default:
      return sampleString(s)
  }
}

function sampleString(s: Schema): string {
  if (s.format === 'email') return `fuzz-${Math.random().toString(36).slice(2)}@example.com`
  if (s.format === 'date-time') return new Date(Date.UTC(2026, 5, 2)).toISOString()
  if (s.format === 'uuid') return '6f1c0c1e-0000-4000-8000-000000000000'
  const hex = /^\^0x\[0-9a-fA-F\]\{(\d+)\}\$$/.exec(s.pattern ?? '')
  if (hex) return `0x${'a'.repeat(Number(hex[1]))}`
  return 'f'.repeat(Math.max(1, s.minLength ?? 1, 16))
}

function resolve(doc: Schema, ref: string): Schema {
  const parts = ref.replace(/^#\//, '').split('/')
  let at: any = ref.startsWith('#/') ? doc : doc.components?.schemas
  if (!ref.startsWith('#/')) return at?.[ref.replace(/#$/, '')] ?? {}
  for (const p of parts) at = at?.[p.replace(/~1/g, '/').replace(/~0/g, '~')]
  return at ?? {}
}

/** Wrong and edge values for one field. */
function mutations(s: Schema, doc: Schema): [string, unknown][] {
  const r = s.$ref ? resolve(doc, s.$ref) : s
  const out: [string, unknown][] = [
    ['null', null],
    ['object', { a: 1 }],
    ['array', [1]],
    ['NUL string', NUL],
    ['long string', LONG],
    ['empty string', ''],
    ['true', true],
  ]
  for (const n of HUGE) out.push([`number ${n}`, n])
  for (const k of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) {
    if (typeof r[k] !== 'number') continue
    if (k.endsWith('Length'))
      out.push([`${k}±1`, 'y'.repeat(Math.max(0, r[k] + (k === 'maxLength' ? 1 : -1)))])
    else out.push([`${k}±1`, r[k] + (k === 'maximum' ? 1 : -1)], [k, r[k]])
  }
  return out
}

/** The cases of one operation: the baseline, then one change at a time. */
function casesFor(o: Op, doc: Schema): Case[] {
  const params: Schema[] = o.op.parameters ?? []
  const pathParams = params.filter((p) => p.in === 'path')
  const queryParams = params.filter((p) => p.in === 'query')
  const fill = (id: string) => pathParams.reduce((p, pp) => p.replace(`{${pp.name}}`, id), o.path)
  const baseQuery: Record<string, string> = {}
  for (const q of queryParams) if (q.required) baseQuery[q.name] = String(sample(q.schema, doc))
  const bodySchema = o.op.requestBody?.content?.['application/json']?.schema
  const body = bodySchema ? sample(bodySchema, doc) : undefined
  const base: Case = { name: 'baseline', path: fill('task_fuzz0000'), query: baseQuery, body }
  const out: Case[] = [base]
  const ids = [
    '%00',
    encodeURIComponent(NUL),
    'x'.repeat(100),
    '..',
    '%F0%9F%92%A9',
    '-1',
    '1e999',
    "'; drop table tasks; --",
  ]
  if (pathParams.length)
    for (const id of ids) out.push({ ...base, name: `id ${id.slice(0, 20)}`, path: fill(id) })
  for (const q of queryParams) {
    for (const [what, v] of mutations(q.schema ?? {}, doc)) {
      if (typeof v === 'object' && v !== null) continue
      out.push({ ...base, name: `query ${q.name} ${what}`, query: { ...baseQuery, [q.name]: String(v) } })
    }
  }
  if (bodySchema) {
    const r = bodySchema.$ref ? resolve(doc, bodySchema.$ref) : bodySchema
    out.push({ ...base, name: 'body array', body: [body] }, { ...base, name: 'body string', body: 'x' })
    out.push({ ...base, name: 'unknown field', body: { ...(body as object), zz_unknown: 1 } })
    for (const [k, v] of Object.entries<Schema>(r.properties ?? {})) {
      const without = { ...(body as Record<string, unknown>) }
      delete without[k]
      out.push({ ...base, name: `body ${k} missing`, body: without })
      for (const [what, m] of mutations(v, doc)) {
        out.push({ ...base, name: `body ${k} ${what}`, body: { ...(body as object), [k]: m } })
      }
    }
  }
  return out
}

forEachDialect('schema fuzzing from the served OpenAPI document', (dialect) => {
  const server = useServer(dialect)
  let creds: Record<'agent' | 'operator' | 'admin', { key?: string; token?: string }>
  before(async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100_000 })
    const op = await newOperator(s)
    const admin = await newAdmin(s)
    creds = { agent: { key: agent.key }, operator: { token: op.token }, admin: { token: admin.token } }
  })

  test('no 5xx, and every answer with a declared schema matches it', async () => {
    const s = server()
    const doc = (await request(s.url, 'GET', '/openapi.json')).body as Schema
    const ajv = new Ajv({ strict: false, allErrors: false, validateFormats: true })
    ;(formatsPlugin as unknown as (a: Ajv) => void)(ajv)
    // Components are added under their names, so every `#/components/schemas/X` becomes `X`.
    const local = <T>(schema: T): T =>
      JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\/([^"]+)"/g, '"$1"'))
    for (const [name, schema] of Object.entries<Schema>(doc.components?.schemas ?? {})) {
      ajv.addSchema({ ...local(schema), $id: name })
    }
    const ops: Op[] = []
    for (const [path, item] of Object.entries<Schema>(doc.paths)) {
      for (const [method, op] of Object.entries<Schema>(item))
        ops.push({ method: method.toUpperCase(), path, op })
    }
    assert.ok(ops.length >= 50, `operations: ${ops.length}`)
    const failures: string[] = []
    let cases = 0
    let checked = 0
    for (const o of ops) {
      const security: Schema[] = o.op.security ?? []
      const cred = security.some((x) => 'apiKey' in x)
        ? creds.agent
        : security.length
          ? o.path.startsWith('/api/v1/admin/')
            ? creds.admin
            : creds.operator
          : {}
      for (const c of casesFor(o, doc)) {
        cases++
        const qs = new URLSearchParams(c.query).toString()
        const url = `${c.path.replace('/api/v1', '')}${qs ? `?${qs}` : ''}`
        const r = await request(s.url, o.method, url, {
          ...cred,
          raw: c.body === undefined ? undefined : JSON.stringify(c.body),
        })
        const what = `${o.method} ${o.path} [${c.name}] → ${r.status}`
        // A 5xx the operation declares (503: a feature this server has not set up) is an answer, not a fault.
        const declared5xx = r.status !== 500 && o.op.responses?.[String(r.status)] !== undefined
        if (r.status >= 500 && !declared5xx) failures.push(`${what}: ${r.text.slice(0, 200)}`)
        const declared = o.op.responses?.[String(r.status)]?.content?.['application/json']?.schema
        if (declared && r.headers.get('content-type')?.startsWith('application/json')) {
          checked++
          const validate = ajv.compile(local(declared))
          if (!validate(r.body))
            failures.push(`${what}: does not match its schema: ${ajv.errorsText(validate.errors)}`)
        }
      }
    }
    console.log(
      `fuzz [${dialect}]: ${ops.length} operations, ${cases} cases, ${checked} answers checked against a schema, ${failures.length} failures`,
    )
    for (const f of failures) console.log(`FUZZ FAIL ${f}`)
    assert.deepEqual(failures, [])
  })
})
