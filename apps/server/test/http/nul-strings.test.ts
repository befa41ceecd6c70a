/**
 * A NUL character (U+0000) in any string the client sends — a JSON value, a JSON key, a path
 * parameter, a query value, a multipart text field — is a 400 naming the field, on both
 * dialects, and writes nothing. PostgreSQL cannot store NUL in text or jsonb, so before the
 * check these were 500s, some of them without login (issue 16, item 4).
 */
import { before } from 'node:test'
import { createTask, proofForm, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { baseEnv, defineRows, type Row, type RowEnv, type Who } from './refusal-checks.ts'

const NUL = '\u0000'
const email = () => `x-${Math.random().toString(36).slice(2)}@example.com`

const row = (
  name: string,
  method: Row['method'],
  path: string,
  who: Who,
  field: string,
  body?: Row['body'],
): Row => ({ name, method, path, who, body, status: 400, code: 'VALIDATION_FAILED', field })

const ROWS: Row[] = [
  row('agent name with NUL', 'POST', '/agents/register', 'anonymous', 'name', () => ({
    name: `Bot${NUL}`,
    email: email(),
  })),
  row('agent company with NUL', 'POST', '/agents/register', 'anonymous', 'company', () => ({
    name: 'Bot',
    email: email(),
    company: `A${NUL}B`,
  })),
  row('operator name with NUL', 'POST', '/operator/register', 'anonymous', 'name', () => ({
    name: `Op${NUL}`,
    email: email(),
    password: 'long enough pw',
  })),
  row('operator password with NUL', 'POST', '/operator/register', 'anonymous', 'password', () => ({
    name: 'Op',
    email: email(),
    password: `long enough${NUL}pw`,
  })),
  row('login password with NUL', 'POST', '/operator/login', 'anonymous', 'password', {
    email: 'a@example.com',
    password: `whatever${NUL}it is`,
  }),
  row('key name with NUL', 'POST', '/agents/keys', 'agent', 'name', { name: `k${NUL}` }),
  row('task id with NUL', 'GET', '/tasks/task_%00', 'agent', 'id'),
  row('operator task id with NUL', 'GET', '/operator/tasks/task_%00', 'operator', 'id'),
  row('admin task id with NUL', 'GET', '/admin/tasks/task_%00', 'admin', 'id'),
  row('revoking a key id with NUL', 'DELETE', '/agents/keys/key_%00', 'agent', 'id'),
  row('webhook id with NUL', 'GET', '/webhooks/whk_%00/deliveries', 'agent', 'id'),
  row('list status query with NUL', 'GET', '/operator/tasks/mine?status=COMPLETED%00', 'operator', 'status'),
  {
    ...row(
      'verify-email token with NUL',
      'GET',
      '/agents/verify-email?token=abc%00def',
      'anonymous',
      'token',
    ),
    headers: { accept: 'application/json' },
  },
  row('task title with NUL', 'POST', '/tasks', 'agent', 'title', (e: RowEnv) => ({
    ...taskBody(e.s),
    title: `Photo${NUL}`,
  })),
  row('a proof requirement with NUL', 'POST', '/tasks', 'agent', 'proof_requirements.0', (e: RowEnv) => ({
    ...taskBody(e.s),
    proof_requirements: [`storefront${NUL}`],
  })),
  row('a NUL in a JSON key', 'POST', '/tasks', 'agent', 'metadata', (e: RowEnv) => ({
    ...taskBody(e.s),
    metadata: { [`k${NUL}`]: 'v' },
  })),
  row('a NUL in a metadata value', 'POST', '/tasks', 'agent', 'metadata.k', (e: RowEnv) => ({
    ...taskBody(e.s),
    metadata: { k: `v${NUL}` },
  })),
  row('reject reason with NUL', 'POST', '/tasks/{task}/estimate/reject', 'agent', 'reason', {
    reason: `too${NUL} expensive`,
  }),
  row('webhook url with NUL', 'POST', '/webhooks', 'agent', 'url', {
    url: `https://example.com/${NUL}`,
    events: ['task.status_changed'],
  }),
]

forEachDialect('NUL characters are refused at the edge', (dialect) => {
  const server = useServer(dialect)
  let env: RowEnv
  before(async () => {
    const base = await baseEnv(server())
    const task = await createTask(server(), base.agent)
    env = { ...base, ids: { ...base.ids, task } }
  })
  defineRows(ROWS, () => env)
  defineRows(
    [
      {
        name: 'proof notes with NUL',
        method: 'POST',
        path: '/operator/tasks/{task}/proof',
        who: 'operator',
        form: () => {
          const form = proofForm()
          form.set('notes', `done${NUL}`)
          return form
        },
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'notes',
      },
    ],
    () => env,
  )
})
