import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { useServer } from '../helpers/harness.ts'

/** Debian's chromium, when installed (`apt-get install chromium`); the test is skipped without it. */
function findChromium(): string | null {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || null
    } catch {
      // not on PATH
    }
  }
  return null
}
const CHROMIUM = findChromium()

/**
 * Loads a page in headless chromium with every host but 127.0.0.1 unresolvable (as offline as a
 * browser gets), lets it run for 15 s of virtual time, and returns the rendered DOM and the
 * network log.
 */
function render(url: string): Promise<{ dom: string; requests: { url: string; initiator: string }[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-chromium-'))
  const netLog = path.join(dir, 'net.json')
  const args = [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    `--user-data-dir=${path.join(dir, 'profile')}`,
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    `--log-net-log=${netLog}`,
    '--virtual-time-budget=15000',
    '--dump-dom',
    url,
  ]
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM!, args, { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      try {
        if (err) return reject(err)
        const log = JSON.parse(fs.readFileSync(netLog, 'utf8'))
        const start = log.constants.logEventTypes.URL_REQUEST_START_JOB
        const requests = (log.events as { type: number; params?: { url?: string; initiator?: string } }[])
          .filter((e) => e.type === start && e.params?.url)
          .map((e) => ({ url: e.params!.url!, initiator: e.params!.initiator ?? '' }))
        resolve({ dom: stdout, requests })
      } catch (e) {
        reject(e)
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })
  })
}

describe('API reference in a real browser', { skip: CHROMIUM ? false : 'chromium is not installed' }, () => {
  const server = useServer('sqlite')

  test('renders every operation offline, and the page requests nothing from another host', async () => {
    const s = server()
    const { dom, requests } = await render(`${s.url}/docs`)
    const paths = new Set(
      [...dom.matchAll(/class="opblock-summary-path" data-path="([^"]+)"/g)].map((m) => m[1]),
    )
    const doc = await (await fetch(`${s.url}/api/v1/openapi.json`)).json()
    for (const p of Object.keys(doc.paths)) assert.ok(paths.has(p), `${p} is shown`)
    assert.match(dom, /humcli API/)

    // Requests the page made (chromium's own background calls have no page origin).
    const origin = new URL(s.url).origin
    const fromPage = requests.filter((r) => r.initiator === origin)
    assert.ok(fromPage.some((r) => r.url.endsWith('/swagger-ui-bundle.js')))
    assert.ok(fromPage.some((r) => r.url.endsWith('/docs/json')))
    for (const r of fromPage) assert.ok(r.url.startsWith(`${origin}/`), `the page requested ${r.url}`)
  })
})
