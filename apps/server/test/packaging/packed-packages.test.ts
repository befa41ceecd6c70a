// The client packages as an agent developer gets them: `npm pack` of @humcli/contract, @humcli/sdk
// and @humcli/mcp, unpacked into a project of their own whose node_modules holds nothing else
// but the third-party packages they declare (linked from this checkout: the test sends no
// traffic beyond 127.0.0.1). So a file missing from `files`, a wrong `exports` or `bin` path, or
// an undeclared dependency (sharp, better-sqlite3, pg, the AWS SDK …) fails here, against a real
// server.
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { taskBody } from '../helpers/fixtures.ts'
import { startTestServer } from '../helpers/harness.ts'
import { connectMcp } from '../helpers/mcp.ts'

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const PACKAGES = ['contract', 'sdk', 'mcp'] as const
const SERVER_ONLY = [
  'sharp',
  'better-sqlite3',
  'pg',
  '@aws-sdk/client-s3',
  'fastify',
  'kysely',
  'viem',
  'humcli',
]

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' })
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} in ${cwd}:\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

/** Unpacks `npm pack` of each package into `<dir>/node_modules/@humcli/<name>`; links their declared dependencies. */
function installPacked(dir: string): void {
  const modules = path.join(dir, 'node_modules')
  for (const name of PACKAGES) {
    const src = path.join(ROOT, 'packages', name)
    const tgz = run('npm', ['pack', '--silent', '--pack-destination', dir], src).trim().split('\n').pop()!
    const target = path.join(modules, '@humcli', name)
    fs.mkdirSync(target, { recursive: true })
    run('tar', ['-xzf', path.join(dir, tgz), '-C', target, '--strip-components=1'], dir)
    const manifest = JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8'))
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (dep.startsWith('@humcli/')) continue
      const link = path.join(modules, dep)
      if (fs.existsSync(link)) continue
      fs.mkdirSync(path.dirname(link), { recursive: true })
      fs.symlinkSync(path.join(ROOT, 'node_modules', dep), link, 'dir')
    }
  }
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'agent-app', private: true, type: 'module' }),
  )
}

test('the packed SDK and MCP server install alone and work against a real server', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-packed-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  installPacked(dir)
  for (const name of SERVER_ONLY) {
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules', name)), `${name} came with the client packages`)
  }
  const sdkFiles = run('tar', ['-tzf', path.join(dir, 'humcli-sdk-0.1.0.tgz')], dir)
  const sources = sdkFiles.split('\n').filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  assert.deepEqual(sources, [], 'the SDK ships compiled JavaScript and declarations, not its sources')
  assert.match(sdkFiles, /package\/dist\/index\.js/)

  const s = await startTestServer('sqlite')
  t.after(() => s.close())

  // The SDK, imported from the unpacked package by plain Node (no tsx, no source condition).
  fs.writeFileSync(
    path.join(dir, 'agent.mjs'),
    `import { Humcli, TASK_STATUSES } from '@humcli/sdk'
const reg = await Humcli.register({ name: 'Packed agent', email: 'packed-' + Date.now() + '@example.com' }, { baseUrl: process.env.URL })
const humcli = new Humcli({ baseUrl: process.env.URL, apiKey: reg.api_key })
const task = await humcli.tasks.create(JSON.parse(process.env.TASK))
const read = await humcli.tasks.get(task.task_id)
console.log(JSON.stringify({ key: reg.api_key, id: task.task_id, status: read.status, known: TASK_STATUSES.includes(read.status) }))
`,
  )
  // Asynchronously: the server answering it runs in this process.
  const r = await promisify(execFile)(process.execPath, ['agent.mjs'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      URL: s.url,
      TASK: JSON.stringify({ ...taskBody(s), reward_usd: 5 }),
    },
  })
  const out = JSON.parse(r.stdout)
  assert.match(out.id, /^task_/)
  assert.equal(out.status, 'PENDING')
  assert.equal(out.known, true)

  // `npx @humcli/mcp`: the package's own bin, spoken to by the MCP SDK's client over stdio.
  const manifest = JSON.parse(
    fs.readFileSync(path.join(dir, 'node_modules/@humcli/mcp/package.json'), 'utf8'),
  )
  const bin = path.join(dir, 'node_modules/@humcli/mcp', manifest.bin['humcli-mcp'])
  const mcp = await connectMcp(
    { HUMCLI_API_KEY: out.key, HUMCLI_API_URL: s.url },
    { command: process.execPath, args: [bin], cwd: dir },
  )
  t.after(() => mcp.close())
  const tools = (await mcp.client.listTools()).tools.map((x) => x.name)
  assert.ok(tools.includes('create_task') && tools.includes('get_task'), tools.join(', '))
  const got = await mcp.call('get_task', { task_id: out.id })
  assert.equal(got.isError, false, got.text)
  assert.equal(got.json.status, 'PENDING')
  assert.match(mcp.stderr(), /humcli-mcp: MCP server on stdio/)
})
