/** The answers a new user meets first: every validation problem at once, where JSON breaks, a taken email. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { locateJsonError } from '../../src/http/locate-json-error.ts'
import { client, request } from '../helpers/api.ts'
import { newAgent, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'

test('locateJsonError: line, column and byte offset of the first bad character', () => {
  assert.equal(locateJsonError('{"a": [1, 2, {"b": null}], "c": "x\\u00e9"}'), null)
  assert.deepEqual(locateJsonError('{"a": 1,\n  "b": x}'), { line: 2, column: 8, byte: 16, found: '"x"' })
  assert.deepEqual(locateJsonError('{"a": 1,}'), { line: 1, column: 9, byte: 8, found: '"}"' })
  assert.deepEqual(locateJsonError('{"é": '), { line: 1, column: 7, byte: 7, found: 'the end of the body' })
  assert.deepEqual(locateJsonError("{'a': 1}"), { line: 1, column: 2, byte: 1, found: `"'"` })
  assert.deepEqual(locateJsonError('[1, 2]]'), { line: 1, column: 7, byte: 6, found: '"]"' })
  assert.deepEqual(locateJsonError('{"a": tru}'), { line: 1, column: 10, byte: 9, found: '"}"' })
  assert.deepEqual(locateJsonError('{"a": "x\ny"}'), { line: 1, column: 9, byte: 8, found: '"\\n"' })
})

forEachDialect('first-hour messages', (dialect) => {
  const server = useServer(dialect)

  test('a task body with three problems: details lists all, the sentence names the first and counts the rest', async () => {
    const s = server()
    const agent = await newAgent(s)
    const { title: _t, ...body } = taskBody(s)
    const r = await agent.api.post('/tasks', { ...body, reward_usd: '5', colour: 'red' })
    assert.equal(r.status, 400, r.text)
    assert.equal(r.body.code, 'VALIDATION_FAILED')
    const paths = (r.body.details as { path: string }[]).map((d) => d.path).sort()
    assert.deepEqual(paths, ['colour', 'reward_usd', 'title'])
    assert.equal(r.body.error, `${r.body.details[0].message} 2 more problems listed in \`details\`.`)
  })

  test('invalid JSON says where: line, column and byte', async () => {
    const s = server()
    const agent = await newAgent(s)
    const r = await request(s.url, 'POST', '/tasks', {
      key: agent.key,
      raw: '{"title": "x",\n "reward_usd": 5,}',
    })
    assert.equal(r.status, 400)
    assert.equal(
      r.body.error,
      'The request body is not valid JSON: unexpected "}" at line 2, column 18 (byte 32).',
    )
  })

  test('registering an email already used says how to continue', async () => {
    const s = server()
    const body = { name: 'bot', email: `again-${Date.now()}@example.com` }
    assert.equal((await client(s.url).post('/agents/register', body)).status, 201)
    const again = await client(s.url).post('/agents/register', { ...body, email: body.email.toUpperCase() })
    assert.equal(again.status, 409)
    assert.equal(again.body.code, 'CONFLICT')
    assert.match(again.body.error, /already registered/)
    assert.match(again.body.error, /existing API key/)
    assert.match(again.body.error, /humcli keys create/)
  })
})
