#!/usr/bin/env node
// Runs every test file under apps/server/test/, packages/*/test/ and apps/web/e2e/ (or the files/folders given) with node's test runner and tsx.
// Storage tests run on SQLite always and on PostgreSQL too when HUMCLI_TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

function collect(target, out) {
  const stat = fs.statSync(target)
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(target).sort()) collect(path.join(target, entry), out)
  } else if (target.endsWith('.test.ts')) {
    out.push(target)
  }
  return out
}

const args = process.argv.slice(2)
const targets = args.filter((a) => !a.startsWith('--'))
const flags = args.filter((a) => a.startsWith('--'))
const DEFAULT_TARGETS = [
  'apps/server/test',
  ...fs
    .readdirSync('packages')
    .map((p) => path.join('packages', p, 'test'))
    .filter((d) => fs.existsSync(d)),
  // Browser tests of the web app (chromium at /usr/bin/chromium; `npm test` builds the app first).
  'apps/web/e2e',
]
const files = (targets.length ? targets : DEFAULT_TARGETS).flatMap((t) => collect(t, []))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
if (!process.env.HUMCLI_TEST_DATABASE_URL) {
  console.log('note: HUMCLI_TEST_DATABASE_URL is not set, so storage tests run on SQLite only')
}
// Every JSON 2xx body a test server sends is checked against its route's declared response
// schema (apps/server/src/http/response-check.ts); a mismatch is a 500 in the test that caused it,
// and is written here too, so the run fails even if that test tolerated the 500.
const violations = path.join(
  fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-tests-')),
  'response-violations.log',
)
const env = { ...process.env, HUMCLI_VALIDATE_RESPONSES: '1', HUMCLI_RESPONSE_VIOLATIONS_FILE: violations }
const result = spawnSync(
  process.execPath,
  [
    '--conditions=source',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=600000',
    ...flags,
    ...files,
  ],
  { stdio: 'inherit', env },
)
const found = fs.existsSync(violations) ? fs.readFileSync(violations, 'utf8').trim() : ''
fs.rmSync(path.dirname(violations), { recursive: true, force: true })
if (found) {
  const lines = found.split('\n')
  console.error(`\n${lines.length} response(s) did not match their declared schema:\n${lines.join('\n')}`)
  process.exit(1)
}
process.exit(result.status ?? 1)
