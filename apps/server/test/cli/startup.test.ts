/**
 * Start-up (issue 11, ADR 0012 "Start-up"): each command loads only what it needs, and the bundle
 * replaces the ~1,100 separate modules. Node's module trace (`NODE_DEBUG=esm`) names the files a
 * run loaded; a bundled chunk stands for the modules esbuild put into it
 * (`dist/humcli.meta.json`), so the checks read module paths whether or not they were bundled.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { runHumcli } from '../helpers/harness.ts'

const DIST = new URL('../../dist/', import.meta.url)
const chunks: Record<string, string[]> = JSON.parse(
  fs.readFileSync(new URL('humcli.meta.json', DIST), 'utf8'),
)

/** The files a run loaded: on their own (`files`), and all, with each chunk's modules (`modules`). */
async function traced(args: string[], env: Record<string, string> = {}) {
  const r = await runHumcli(args, { NODE_DEBUG: 'esm', ...env })
  const files = new Set(
    [...r.stderr.matchAll(/file:\/\/(\/[^\s'"]+?\.(?:js|mjs|cjs))\b/g)].map((m) =>
      path.relative(path.resolve(DIST.pathname, '../../..'), m[1]!),
    ),
  )
  const modules = new Set<string>()
  for (const f of files) {
    const chunk = chunks[path.basename(f)]
    if (f.startsWith('apps/server/dist/') && chunk) for (const m of chunk) modules.add(m)
    else modules.add(f)
  }
  return { ...r, files: [...files], modules: [...modules] }
}

const any = (list: string[], re: RegExp) => list.filter((m) => re.test(m))

describe('start-up: each command loads only what it needs', () => {
  test('--version prints the package version and loads no command module', async () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
    for (const flag of ['--version', '-V']) {
      const r = await runHumcli([flag], {})
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, `${pkg.version}\n`)
    }
    const run = await traced(['--version'])
    assert.ok(run.modules.includes('apps/server/dist/version.js'), run.modules.join('\n'))
    assert.deepEqual(any(run.modules, /dist\/cli\/main\.js/), [], 'main.js was loaded for --version')
    // Anything more goes to the full command line (commander answers it).
    const full = await runHumcli(['--version', 'extra'], {})
    assert.equal(full.stdout, `${pkg.version}\n`)
    assert.ok((await traced(['--version', '--help'])).modules.includes('apps/server/dist/cli/main.js'))
  })

  test('an agent command loads its own modules, not the server, the database drivers or the chain code', async () => {
    const run = await traced(['tasks', 'get', 'task_x'], { HUMCLI_API_KEY: '' })
    assert.equal(run.code, 3, run.stderr) // no API key: a usage failure, after the command loaded
    assert.ok(run.modules.includes('apps/server/dist/cli/tasks.js'), run.modules.join('\n'))
    for (const heavy of [
      /node_modules\/kysely\//,
      /node_modules\/fastify\//,
      /dist\/store\//,
      /dist\/http\//,
      /@noble\/curves/,
    ]) {
      assert.deepEqual(any(run.modules, heavy), [], `tasks get loaded ${heavy}`)
    }
  })

  test('help lists every command', async () => {
    const help = await runHumcli(['--help'], {})
    assert.equal(help.code, 0, help.stderr)
    for (const name of [
      'serve',
      'worker',
      'migrate',
      'admin',
      'register',
      'tasks',
      'balance',
      'deposit',
      'wallet',
      'keys',
      'mcp',
    ]) {
      assert.match(help.stdout, new RegExp(`^  ${name}\\b`, 'm'), `${name} missing from --help`)
    }
  })

  test('the server side runs from the bundle: no module of the server, kysely or TypeBox is loaded on its own', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-startup-'))
    try {
      const run = await traced(['migrate', '--create', '--data-dir', dir])
      assert.equal(run.code, 0, run.stderr)
      // It did load them, inside chunks…
      assert.ok(any(run.modules, /dist\/store\/migrate\.js/).length === 1, run.modules.join('\n'))
      assert.ok(any(run.modules, /node_modules\/kysely\//).length > 100)
      // …and no file of theirs separately.
      const separate = run.files.filter((f) => !/^apps\/server\/dist\/humcli(-[A-Z0-9]+)?\.js$/.test(f))
      assert.deepEqual(
        any(separate, /apps\/server\/dist\/|node_modules\/(kysely|@sinclair\/typebox|fastify)\//),
        [],
      )
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
