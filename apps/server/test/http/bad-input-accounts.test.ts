/**
 * Malformed requests against the agent, operator and admin endpoints (registration, keys,
 * deposits, browsing, accepting, admin decisions): refused with a readable envelope, nothing written.
 */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { request } from '../helpers/api.ts'
import { createTask, txHash } from '../helpers/fixtures.ts'
import { forEachDialect, useServer } from '../helpers/harness.ts'
import { baseEnv, defineRows, type Row, type RowEnv, snapshot, type Who } from './refusal-checks.ts'

type Spec = [name: string, body: unknown, field?: string]

/** Rows that all hit one endpoint and fail validation (400), each naming its field. */
function invalidRows(method: Row['method'], path: string, who: Who, specs: Spec[]): Row[] {
  return specs.map(([name, body, field]) => ({
    name,
    method,
    path,
    who,
    body,
    status: 400,
    code: 'VALIDATION_FAILED',
    field,
  }))
}
const query = (path: string, who: Who, specs: [name: string, query: string, field: string][]): Row[] =>
  specs.map(([name, q, field]) => ({
    name,
    method: 'GET',
    path: `${path}?${q}`,
    who,
    status: 400,
    code: 'VALIDATION_FAILED',
    field,
  }))

const email = () => `x-${Math.random().toString(36).slice(2)}@example.com`
const agentReg = (over: Record<string, unknown>, drop?: string) => () => {
  const body: Record<string, unknown> = { name: 'Bot', email: email(), ...over }
  if (drop) delete body[drop]
  return body
}
const opReg = (over: Record<string, unknown>, drop?: string) => () => {
  const body: Record<string, unknown> = { name: 'Op', email: email(), password: 'long enough pw', ...over }
  if (drop) delete body[drop]
  return body
}
const deposit = (over: Record<string, unknown>, drop?: string) => () => {
  const body: Record<string, unknown> = { tx_hash: txHash(), amount_usdc: 20, chain: 'base', ...over }
  if (drop) delete body[drop]
  return body
}

const AGENTS: Row[] = [
  ...invalidRows('POST', '/agents/register', 'anonymous', [
    ['register without email', agentReg({}, 'email'), 'email'],
    ['register with a bad email', agentReg({ email: 'not-an-email' }), 'email'],
    ['register with an empty name', agentReg({ name: '' }), 'name'],
    ['register with a 101-character name', agentReg({ name: 'n'.repeat(101) }), 'name'],
    ['register choosing its tier', agentReg({ tier: 'STANDARD' }), 'tier'],
    ['register with a numeric company', agentReg({ company: 7 }), 'company'],
  ]),
  ...invalidRows('POST', '/agents/keys', 'agent', [
    ['key with an empty name', { name: '' }, 'name'],
    ['key without a name', {}, 'name'],
    ['key naming its own secret', { name: 'k', key: 'ho_live_x' }, 'key'],
  ]),
  ...invalidRows('POST', '/agents/deposit/usdc', 'agent', [
    ['deposit with a short tx_hash', deposit({ tx_hash: '0x1234' }), 'tx_hash'],
    ['deposit with a non-hex tx_hash', deposit({ tx_hash: `0x${'g'.repeat(64)}` }), 'tx_hash'],
    ['deposit tx_hash without 0x', deposit({ tx_hash: 'a'.repeat(64) }), 'tx_hash'],
    ['deposit without tx_hash', deposit({}, 'tx_hash'), 'tx_hash'],
    ['deposit on an unknown chain', deposit({ chain: 'ethereum' }), 'chain'],
    ['deposit amount with 7 decimals', deposit({ amount_usdc: 1.1234567 }), 'amount_usdc'],
    ['deposit amount as a string', deposit({ amount_usdc: '20' }), 'amount_usdc'],
    ['deposit claiming its status', deposit({ status: 'CONFIRMED' }), 'status'],
  ]),
  ...query('/agents/transactions', 'agent', [
    ['transactions limit 0', 'limit=0', 'limit'],
    ['transactions limit 101', 'limit=101', 'limit'],
    ['transactions offset abc', 'offset=abc', 'offset'],
  ]),
]

const OPERATORS: Row[] = [
  ...invalidRows('POST', '/operator/register', 'anonymous', [
    ['operator password of 9 characters', opReg({ password: '123456789' }), 'password'],
    ['operator with a bad email', opReg({ email: 'op@' }), 'email'],
    ['operator without a password', opReg({}, 'password'), 'password'],
    ['operator with an unknown skill', opReg({ skills: ['JUGGLING'] }), 'skills.0'],
    ['operator approving its own KYC', opReg({ kyc_status: 'APPROVED' }), 'kyc_status'],
    ['operator with an unknown location field', opReg({ location: { planet: 'Mars' } }), 'location.planet'],
  ]),
  ...invalidRows('POST', '/operator/login', 'anonymous', [
    ['login without a password', { email: 'a@example.com' }, 'password'],
    ['login with a bad email', { email: 'nobody', password: 'x' }, 'email'],
  ]),
  ...invalidRows('POST', '/operator/tasks/{pending}/accept', 'operator', [
    [
      'accept with a zero estimate',
      { estimate_days: 0, estimate_hours: 0, estimate_minutes: 0 },
      'estimate_minutes',
    ],
    ['accept with no estimate', { estimate_note: 'soon' }, 'estimate_minutes'],
    ['accept with negative hours', { estimate_hours: -1, estimate_minutes: 30 }, 'estimate_hours'],
    ['accept with fractional minutes', { estimate_minutes: 2.5 }, 'estimate_minutes'],
    ['accept with hours as a string', { estimate_hours: '2' }, 'estimate_hours'],
    ['accept naming an operator', { estimate_hours: 2, operator_id: 'op_other' }, 'operator_id'],
  ]),
  ...query('/operator/tasks', 'operator', [
    ['browse near not a point', 'near=abc', 'near'],
    ['browse near with lat 91', 'near=91,0', 'near'],
    ['browse radius_km 0', 'near=52.5,13.4&radius_km=0', 'radius_km'],
    ['browse limit 101', 'limit=101', 'limit'],
    ['browse unknown task_type', 'task_type=PAINTING', 'task_type'],
  ]),
  ...query('/operator/tasks/mine', 'operator', [['mine limit -1', 'limit=-1', 'limit']]),
]

const ADMIN: Row[] = [
  ...query('/admin/tasks', 'admin', [
    ['admin tasks without status', 'limit=5', 'status'],
    ['admin tasks in PENDING', 'status=PENDING', 'status'],
  ]),
  ...invalidRows('POST', '/admin/tasks/{pending}/resolve', 'admin', [
    ['resolve with an unknown outcome', { outcome: 'FLIP_A_COIN', note: 'n' }, 'outcome'],
    ['resolve without a note', { outcome: 'REFUND_AGENT' }, 'note'],
    [
      'resolve with operator_percent 101',
      { outcome: 'SPLIT', operator_percent: 101, note: 'n' },
      'operator_percent',
    ],
  ]),
  ...invalidRows('POST', '/admin/tasks/{pending}/review', 'admin', [
    ['review with an unknown decision', { decision: 'MAYBE' }, 'decision'],
  ]),
  ...invalidRows('POST', '/admin/agents/{agent}/tier', 'admin', [['tier GOLD', { tier: 'GOLD' }, 'tier']]),
  ...invalidRows('POST', '/admin/agents/{agent}/restriction', 'admin', [
    ['restriction as a string', { restricted: 'yes' }, 'restricted'],
  ]),
  ...invalidRows('POST', '/admin/operators/{operator}/kyc', 'admin', [
    ['kyc decision lower-case', { decision: 'approve' }, 'decision'],
  ]),
]

forEachDialect('bad input on account endpoints', (dialect) => {
  const server = useServer(dialect)
  let env: RowEnv | undefined
  before(async () => {
    const s = server()
    const base = await baseEnv(s)
    const pending = await createTask(s, base.agent)
    env = { ...base, ids: { ...base.ids, pending } }
  })
  defineRows([...AGENTS, ...OPERATORS, ...ADMIN], () => env!)

  test('control: the valid versions of the refused bodies are accepted and written', async () => {
    const e = env!
    const call = (method: string, path: string, who: Who, body: unknown) =>
      request(e.s.url, method, path, { ...e.creds[who], body })
    const before = await snapshot(e.s)
    assert.equal((await call('POST', '/agents/register', 'anonymous', agentReg({})())).status, 201)
    assert.equal((await call('POST', '/operator/register', 'anonymous', opReg({})())).status, 201)
    assert.equal((await call('POST', '/agents/deposit/usdc', 'agent', deposit({})())).status, 201)
    const accept = { estimate_hours: 1, estimate_minutes: 30 }
    const acc = await call('POST', `/operator/tasks/${e.ids.pending}/accept`, 'operator', accept)
    assert.equal(acc.status, 200, acc.text)
    const after = await snapshot(e.s)
    for (const table of ['agents', 'operators', 'deposits', 'task_transitions'] as const) {
      assert.equal(after[table], (before[table] as number) + 1, table)
    }
  })
})
