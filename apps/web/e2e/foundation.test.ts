import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request } from '../../server/test/helpers/api.ts'
import { seriousViolations, useWeb } from './harness.ts'

describe('web app foundation', () => {
  const web = useWeb()

  test('the app is served at / with a strict CSP, hashed assets cached for a year, and API paths untouched', async () => {
    const { server } = web()
    const page = await fetch(`${server.url}/tasks/some-task`)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /text\/html/)
    const csp = page.headers.get('content-security-policy') ?? ''
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/)
    assert.equal(page.headers.get('cache-control'), 'no-cache')
    const html = await page.text()
    assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script')
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    assert.ok(asset, html)
    const js = await fetch(`${server.url}${asset}`)
    assert.equal(js.status, 200)
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable')
    // Never shadowed by the app: unknown API paths, missing files and the reserved prefixes.
    for (const path of ['/api/v1/nope', '/api/nope', '/assets/missing.js', '/metrics/x', '/healthz/x']) {
      const r = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } })
      assert.equal(r.status, 404, path)
      assert.match(r.headers.get('content-type') ?? '', /json/, path)
    }
    assert.equal((await request(server.url, 'GET', '/openapi.json')).status, 200)
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200)
  })

  test('signed out, a private page goes to the login page, which has no serious accessibility issue', async () => {
    const ctx = await web().context()
    const page = await ctx.newPage()
    const errors: string[] = []
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    await page.goto('/tasks')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    assert.match(page.url(), /\/login\?next=%2Ftasks$/)
    assert.deepEqual(await seriousViolations(page), [])
    // The only console error allowed: the refresh that found no session (401).
    assert.ok(
      errors.every((e) => /401/.test(e)),
      errors.join('\n'),
    )
  })

  test('the language follows the browser and can be switched', async () => {
    const ctx = await web().context({ locale: 'es-ES' })
    const page = await ctx.newPage()
    await page.goto('/login')
    await page.getByRole('heading', { name: 'Iniciar sesión' }).waitFor()
    await page.getByLabel('Idioma').selectOption('en')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    assert.equal(await page.locator('html').getAttribute('lang'), 'en')
  })
})
