#!/usr/bin/env node
// Runs every test file under apps/server/test/ and packages/*/test/ (or the files/folders given) with node's test runner and tsx.
// Storage tests run on SQLite always and on PostgreSQL too when HUMCLI_TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
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
]
const files = (targets.length ? targets : DEFAULT_TARGETS).flatMap((t) => collect(t, []))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
if (!process.env.HUMCLI_TEST_DATABASE_URL) {
  console.log('note: HUMCLI_TEST_DATABASE_URL is not set, so storage tests run on SQLite only')
}
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
  { stdio: 'inherit', env: process.env },
)
process.exit(result.status ?? 1)
