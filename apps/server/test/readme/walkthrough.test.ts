/**
 * The README's shell blocks run as written, top to bottom in one shell, against a fresh
 * `humcli serve` (SQLite, real clock, real job workers). A block preceded by
 * `<!-- readme-test: skip (why) -->` is not run (it needs a wallet, S3, an OpenID issuer …).
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { dbEnv, freshDatabase, humcliEnv, startHumcliServe } from '../helpers/harness.ts'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

/** The sh/bash blocks of a Markdown text, with whether each is marked to be skipped. */
export function shellBlocks(markdown: string): { code: string; skip: string | null }[] {
  const blocks: { code: string; skip: string | null }[] = []
  const re = /(?:<!-- readme-test: skip \(([^)]*)\) -->\n)?```(?:sh|bash)\n([\s\S]*?)\n```/g
  for (const m of markdown.matchAll(re)) blocks.push({ code: m[2]!, skip: m[1] ?? null })
  return blocks
}

test('every README shell block not marked skip runs on a fresh server and ends where it says', async (t) => {
  const blocks = shellBlocks(fs.readFileSync(`${ROOT}README.md`, 'utf8'))
  const run = blocks.filter((b) => b.skip === null)
  assert.ok(run.length >= 2, 'the curl walk-through and the sandbox block run')
  assert.ok(blocks.length - run.length <= 9, `few blocks skipped: ${blocks.filter((b) => b.skip).length}`)

  const db = await freshDatabase('sqlite')
  t.after(() => db.drop())
  const env = { ...dbEnv(db), PORT: '0', LOG_LEVEL: 'warn', HUMCLI_SANDBOX_STEP_MS: '200' }
  const server = await startHumcliServe(env, [], 120_000)
  t.after(() => server.stop())

  const script = ['set -eo pipefail', ...run.map((b) => b.code)]
    .join('\n')
    .replaceAll('http://127.0.0.1:8787', server.url)
  const child = spawn('bash', ['-c', script], { cwd: ROOT, env: humcliEnv({ HUMCLI_DATA_DIR: db.dir }) })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), 300_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(timer)
  const where = `exit ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`
  assert.equal(code, 0, where)
  assert.match(stdout, /"email_verified":true,[^}]*"tier":"VERIFIED"/, where)
  assert.match(stdout, /"status":"CONFIRMED"/, where)
  assert.match(stdout, /"status":"ESTIMATE_PENDING"/, where)
  assert.match(stdout, /"status":"SUBMITTED","submitted_at":"[^"]*","photos":2/, where)
  assert.match(stdout, /\{"status":"COMPLETED","guardian":"VERIFIED","photos":\["http/, where)
  assert.match(stdout, /\{"deposit_balance":84,"escrow_balance":0,"currency":"USD"\}/, where)
  assert.match(stdout, /"pending_balance":15/, where)
  assert.match(stdout, /\{"limit":1,"offset":0,"total":\d+,"next_cursor":(null|"[\w-]+")\}/, where)
  assert.match(stdout, /\{"status":"COMPLETED","photos":\["http/, `the sandbox task completed: ${where}`)
  assert.ok(!fs.existsSync(`${ROOT}front.jpg`), 'the walk-through cleans up its photos')
})
