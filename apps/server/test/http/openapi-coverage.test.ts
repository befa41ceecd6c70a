import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { useServer } from '../helpers/harness.ts'

const METHODS = ['get', 'put', 'post', 'delete', 'patch']
/** Public endpoints: no credential at all. */
const PUBLIC = new Set([
  'post /api/v1/agents/register',
  'get /api/v1/agents/verify-email',
  'post /api/v1/operator/register',
  'post /api/v1/operator/login',
  'get /api/v1/files/{id}',
  // Browser sign-in and the one-time links that lead to it.
  'post /api/v1/operator/session',
  'post /api/v1/staff/session',
  'post /api/v1/dashboard/session',
  'get /api/v1/staff/setup',
  'post /api/v1/staff/setup',
  'post /api/v1/dashboard/login-link',
])

// The document only: one dialect is enough. `npm run lint:openapi` runs Redocly on the same document.
describe('the OpenAPI document describes every operation', () => {
  const server = useServer('sqlite')

  test('each has a unique operationId, a description, a 2xx body schema and its security', async () => {
    const doc = await (await fetch(`${server().url}/api/v1/openapi.json`)).json()
    const ids = new Set<string>()
    let count = 0
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m])) {
        const op = item[method]
        const name = `${method} ${path}`
        count++
        assert.match(op.operationId ?? '', /^[a-z][A-Za-z]+$/, `${name}: operationId`)
        assert.ok(!ids.has(op.operationId), `${name}: operationId ${op.operationId} is used twice`)
        ids.add(op.operationId)
        assert.ok((op.description ?? '').length > 10, `${name}: description`)
        const ok = Object.entries<any>(op.responses ?? {}).filter(([code]) => /^2/.test(code))
        assert.ok(ok.length > 0, `${name}: no 2xx response`)
        for (const [code, res] of ok) {
          if (code === '204') {
            assert.equal(res.content, undefined, `${name}: 204 has no body`)
            continue
          }
          const schemas = Object.values<any>(res.content ?? {}).map((c) => c.schema)
          assert.ok(schemas.length > 0 && schemas.every(Boolean), `${name}: ${code} has no body schema`)
        }
        if (PUBLIC.has(name)) assert.deepEqual(op.security, [], `${name}: public, so security: []`)
        else assert.ok(op.security?.length > 0, `${name}: needs a credential, so it declares one`)
      }
    }
    assert.ok(
      count >= 81,
      `${count} described operations: the 54 of issue 11 and the 27 of the web issues at least`,
    )
  })

  test('limit and offset are optional wherever a list is paged', async () => {
    const doc = await (await fetch(`${server().url}/api/v1/openapi.json`)).json()
    let paged = 0
    for (const item of Object.values<Record<string, any>>(doc.paths)) {
      for (const param of item.get?.parameters ?? []) {
        if (param.in !== 'query' || !['limit', 'offset'].includes(param.name)) continue
        paged++
        assert.equal(param.required ?? false, false, `${param.name} must be optional`)
      }
    }
    assert.ok(paged >= 16, `${paged} paging parameters`)
  })
})
