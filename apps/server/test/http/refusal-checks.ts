/** Shared by the bad-input and tenancy suites: the error-envelope checks and the "nothing written" snapshot. */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { sql } from 'kysely'
import { type ApiResponse, request } from '../helpers/api.ts'
import {
  type AgentFixture,
  newAdmin,
  newAgent,
  newOperator,
  type OperatorFixture,
} from '../helpers/fixtures.ts'
import type { TestServer } from '../helpers/harness.ts'

const STACK_LINE = /\bat [^\n]*:\d+:\d+|node_modules|\/src\/|\.ts:\d+/

/**
 * Every error body: `error` is one readable sentence, `code` and `request_id` are set,
 * validation failures list their problems in `details`, and no stack trace leaks.
 */
export function assertErrorEnvelope(r: ApiResponse, status: number, code: string, mentions?: string): void {
  const where = `${r.status} ${r.text.slice(0, 300)}`
  assert.equal(r.status, status, where)
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, where)
  const b = r.body as Record<string, unknown>
  assert.equal(typeof b, 'object', where)
  assert.equal(b.code, code, where)
  assert.equal(typeof b.request_id, 'string', where)
  assert.match(b.request_id as string, /^req_[0-9a-f]{24}$/, where)
  assert.equal(r.headers.get('x-request-id'), b.request_id, where)
  const error = b.error
  assert.equal(typeof error, 'string', where)
  assert.match(error as string, /^[A-Z`]/, `error should start with a capital or a backtick: ${where}`)
  assert.match(error as string, /\.$/, `error should end with a full stop: ${where}`)
  assert.doesNotMatch(error as string, /undefined|\[object Object\]|NaN/, where)
  assert.doesNotMatch(r.text, STACK_LINE, `no stack trace or source path in the body: ${where}`)
  assert.equal(b.stack, undefined, where)
  const allowed = new Set(['error', 'code', 'request_id', 'details'])
  for (const k of Object.keys(b)) assert.ok(allowed.has(k), `unexpected key ${k} in ${where}`)
  if (mentions) {
    const said = (error as string).toLowerCase().includes(mentions.toLowerCase())
    assert.ok(said, `error should mention ${mentions}: ${where}`)
  }
  if (code === 'VALIDATION_FAILED') {
    assert.ok(Array.isArray(b.details) && b.details.length > 0, `validation errors carry details: ${where}`)
    for (const d of b.details as { path: unknown; message: unknown }[]) {
      assert.equal(typeof d.path, 'string', where)
      assert.equal(typeof d.message, 'string', where)
    }
    if (mentions) {
      const paths = (b.details as { path: string }[]).map((d) => d.path)
      assert.ok(paths.includes(mentions), `details should name ${mentions}, got ${paths.join(', ')}`)
    }
  } else {
    assert.equal(b.details, undefined, where)
  }
}

/** The tables a refused request must not touch. */
export const WATCHED_TABLES = [
  'tasks',
  'task_transitions',
  'ledger_transactions',
  'ledger_entries',
  'outbox',
  'jobs',
  'files',
  'deposits',
  'agents',
  'api_keys',
  'operators',
  'task_ratings',
] as const

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map(
      (e) =>
        `${path.relative(dir, path.join(e.parentPath, e.name))}:${fs.statSync(path.join(e.parentPath, e.name)).size}`,
    )
    .sort()
}

/** Row counts of the watched tables plus every file under the blob folder. */
export async function snapshot(s: TestServer): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const table of WATCHED_TABLES) {
    const r = await sql<{
      n: string | number | bigint
    }>`select count(*) as n from ${sql.table(table)}`.execute(s.ctx.store.db)
    out[table] = Number(r.rows[0]!.n)
  }
  out.files_on_disk = listFiles(path.join(s.db.dir, 'files'))
  return out
}

export type Who = 'agent' | 'operator' | 'admin' | 'anonymous'

/** What a row may refer to: the server and the credentials and ids made before the rows run. */
export interface RowEnv {
  s: TestServer
  creds: Record<Who, { key?: string; token?: string }>
  /** Substituted for `{name}` in a row's path. */
  ids: Record<string, string>
}

export interface Row {
  name: string
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** May hold `{name}` placeholders filled from `RowEnv.ids`. */
  path: string
  who: Who
  /** A JSON body, or a function making one (for deadlines relative to the server clock). */
  body?: unknown
  /** A raw body instead of JSON; the content type defaults to application/json. */
  raw?: string | (() => string)
  form?: (env: RowEnv) => FormData
  headers?: Record<string, string>
  status: number
  code: string
  /** The field the message must name (and `details` must list, for validation failures). */
  field?: string
}

function resolveBody(row: Row, env: RowEnv): unknown {
  return typeof row.body === 'function' ? (row.body as (e: RowEnv) => unknown)(env) : row.body
}

/** One `test` per row: the refusal, its envelope, and nothing written anywhere. */
export function defineRows(rows: Row[], env: () => RowEnv): void {
  const names = new Set<string>()
  for (const row of rows) {
    assert.ok(!names.has(row.name), `duplicate row name ${row.name}`)
    names.add(row.name)
    assert.ok(row.status >= 400 && row.status < 500, row.name)
    test(`${row.method} ${row.path} (${row.who}): ${row.name} → ${row.status} ${row.code}`, async () => {
      const e = env()
      const path = row.path.replace(/\{(\w+)\}/g, (_, k: string) => {
        const v = e.ids[k]
        assert.ok(v, `no id for {${k}}`)
        return v
      })
      const before = await snapshot(e.s)
      const r = await request(e.s.url, row.method, path, {
        ...e.creds[row.who],
        headers: row.headers,
        body: resolveBody(row, e),
        raw: typeof row.raw === 'function' ? row.raw() : row.raw,
        form: row.form?.(e),
      })
      console.log(`ROW ${row.name} => ${r.status} ${(r.body as { error: string }).error}`)
      assertErrorEnvelope(r, row.status, row.code, row.field)
      assert.deepEqual(await snapshot(e.s), before, 'a refused request must write nothing')
    })
  }
}

/** `over` merged into a body, with the keys listed in `drop` removed. */
export function withBody<T extends Record<string, unknown>>(
  make: (env: RowEnv) => T,
  over: Record<string, unknown> = {},
  drop: string[] = [],
): (env: RowEnv) => Record<string, unknown> {
  return (env) => {
    const body: Record<string, unknown> = { ...make(env), ...over }
    for (const k of drop) delete body[k]
    return body
  }
}

/** A verified, funded agent, an operator, an admin and a second agent key: the principals the rows use. */
export async function baseEnv(s: TestServer): Promise<RowEnv & { agent: AgentFixture; op: OperatorFixture }> {
  const agent = await newAgent(s, { tier: 'VERIFIED', deposit: 100 })
  const op = await newOperator(s)
  const admin = await newAdmin(s)
  const extraKey = await agent.api.post('/agents/keys', { name: 'spare' })
  assert.equal(extraKey.status, 201, extraKey.text)
  return {
    s,
    agent,
    op,
    creds: {
      agent: { key: agent.key },
      operator: { token: op.token },
      admin: { token: admin.token },
      anonymous: {},
    },
    ids: { agent: agent.id, operator: op.id, spareKey: extraKey.body.id },
  }
}
