#!/usr/bin/env node
// Lints the OpenAPI document as the server serves it: starts the compiled `humcli serve` on a
// free loopback port over a throw-away data folder, fetches /api/v1/openapi.json and runs
// `redocly lint` on it (rules in redocly.yaml; kept warnings in docs/openapi-lint.md).
// Exits non-zero when Redocly reports an error. Offline: telemetry and update checks are off.
// Usage: npm run lint:openapi [-- --format=json] (after npm run build)
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = path.join(root, 'apps/server/bin/humcli.js')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-openapi-'))
const docFile = path.join(dir, 'openapi.json')

function startServer() {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--data-dir', path.join(dir, 'data')], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, HUMCLI_WORKERS: 'off', HUMCLI_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`humcli serve did not start:\n${out}`)), 60_000)
    child.stdout.on('data', (chunk) => {
      out += chunk
      const m = out.match(/listening on (http:\/\/\S+)/)
      if (m) {
        clearTimeout(timer)
        resolve({ child, url: m[1] })
      }
    })
    child.on('exit', (code) => reject(new Error(`humcli serve exited (${code}):\n${out}`)))
  })
}

const { child, url } = await startServer()
let status = 1
try {
  const res = await fetch(`${url}/api/v1/openapi.json`)
  if (!res.ok) throw new Error(`GET /api/v1/openapi.json answered ${res.status}`)
  fs.writeFileSync(docFile, await res.text())
  const redocly = path.join(root, 'node_modules/@redocly/cli/bin/cli.js')
  const run = spawnSync(
    process.execPath,
    [redocly, 'lint', docFile, '--config', path.join(root, 'redocly.yaml'), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  )
  status = run.status ?? 1
} finally {
  child.kill('SIGTERM')
  fs.rmSync(dir, { recursive: true, force: true })
}
process.exit(status)
