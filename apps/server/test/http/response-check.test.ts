import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { Type } from '@sinclair/typebox'
import Fastify from 'fastify'
import { installErrorHandler } from '../../src/http/errors.ts'
import { closedSchema, installResponseCheck } from '../../src/http/response-check.ts'
import { request } from '../helpers/api.ts'
import { useServer } from '../helpers/harness.ts'

/** A bare Fastify app with the check, our error envelope, and a few routes that answer right or wrong. */
async function probeApp(violations: string) {
  const app = Fastify()
  installErrorHandler(app, { bodyLimitBytes: 1024, uploadMaxBytes: 1024 } as never)
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  app.addSchema(Type.Object({ n: Type.Integer() }, { $id: 'Shared' }))
  installResponseCheck(app, violations)
  const reply = Type.Object({ a: Type.String(), inner: Type.Object({ b: Type.Integer() }) })
  const schema = { response: { 200: reply } }
  app.get('/right', { schema }, async () => ({ a: 'x', inner: { b: 1 } }))
  app.get('/extra', { schema }, async () => ({ a: 'x', inner: { b: 1, secret: 'leak' } }))
  app.get('/wrong-type', { schema }, async () => ({ a: 1, inner: { b: 1 } }))
  app.get('/text', { schema }, async (_req, r) =>
    r.type('application/json').send('{"a":"x","inner":{"b":1},"z":0}'),
  )
  app.get('/undeclared', async () => ({ a: 'x' }))
  app.get('/ref', { schema: { response: { 201: { $ref: 'Shared#' } } } }, async (_req, r) =>
    r.code(201).send({ n: 2, m: 3 }),
  )
  app.get('/html', async (_req, r) => r.type('text/html').send('<p>hi</p>'))
  app.get('/hidden', { schema: { hide: true } }, async () => ({ anything: true }))
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url }
}

describe('the response check (test runs only)', () => {
  test('an undeclared field, a wrong type or a route without a 2xx schema answers 500 and is logged', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'response-check-'))
    const log = path.join(dir, 'violations.log')
    const { app, url } = await probeApp(log)
    try {
      const get = async (p: string) => {
        const res = await fetch(`${url}${p}`)
        return { status: res.status, text: await res.text() }
      }
      assert.equal((await get('/right')).status, 200)
      assert.equal((await get('/html')).status, 200)
      assert.equal((await get('/hidden')).status, 200)
      const extra = await get('/extra')
      assert.equal(extra.status, 500)
      assert.match(extra.text, /GET \/extra answered 200.*\/inner has the undeclared field `secret`/)
      assert.match((await get('/wrong-type')).text, /\/a must be string/)
      assert.match(
        (await get('/text')).text,
        /undeclared field `z`/,
        'pre-serialized JSON text is checked too',
      )
      assert.match((await get('/undeclared')).text, /declares no 200 response schema/)
      assert.match((await get('/ref')).text, /undeclared field `m`/, 'shared schemas are closed too')
      const lines = fs.readFileSync(log, 'utf8').trim().split('\n')
      assert.equal(lines.length, 5, lines.join('\n'))
    } finally {
      await app.close()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  test('closing a schema leaves declared maps (additionalProperties: T) open', () => {
    const closed = closedSchema(
      Type.Object({ meta: Type.Record(Type.String(), Type.String()), o: Type.Object({}) }),
    ) as Record<string, any>
    assert.equal(closed.additionalProperties, false)
    assert.equal(closed.properties.o.additionalProperties, false)
    assert.notEqual(closed.properties.meta.additionalProperties, false)
  })
})

describe('the test suite runs with the check on', () => {
  const server = useServer('sqlite')
  test('servers started by the harness check their responses', async () => {
    assert.equal(process.env.HUMCLI_VALIDATE_RESPONSES, '1', 'run the tests with scripts/run-tests.mjs')
    assert.equal(server().ctx.config.validateResponses, true)
    const res = await request(server().url, 'POST', '/agents/register', {
      body: { name: 'check', email: 'check@example.com' },
    })
    assert.equal(res.status, 201, res.text)
  })
})
