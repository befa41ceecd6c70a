import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const secretsModule = fileURLToPath(new URL('../../src/secrets.ts', import.meta.url))

function loadInChild(dataDir: string): Promise<string> {
  const code = `import { loadSecrets } from ${JSON.stringify(secretsModule)}
const s = loadSecrets({ masterKey: null, dataDir: ${JSON.stringify(dataDir)}, env: 'development' })
process.stdout.write(s.masterKey.toString('hex'))`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (c) => (c === 0 ? resolve(out) : reject(new Error(err))))
  })
}

test('processes starting at once on a fresh data folder agree on one generated master key', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-secrets-'))
  try {
    const keys = await Promise.all(Array.from({ length: 6 }, () => loadInChild(dir)))
    assert.match(keys[0]!, /^[0-9a-f]{64}$/)
    assert.equal(new Set(keys).size, 1)
    const file = path.join(dir, 'secrets', 'master.key')
    assert.equal(fs.readFileSync(file, 'utf8').trim(), keys[0])
    assert.equal(fs.statSync(file).mode & 0o777, 0o600)
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['master.key'], 'no temporary files left behind')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
