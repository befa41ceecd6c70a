import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, test } from 'node:test'
import { useServer } from '../helpers/harness.ts'

const STATIC = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')),
  'static',
)

/** Every `src=` and `href=` in a page. */
const assetRefs = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)

/** Every absolute http(s) URL written in a text. */
const absoluteUrls = (text: string) => [...text.matchAll(/https?:\/\/[^\s'"`<>)]+/g)].map((m) => m[0])

const TYPES: Record<string, RegExp> = {
  '.css': /^text\/css/,
  '.js': /^application\/javascript/,
  '.png': /^image\/png/,
}

// Serves no stored data, so one dialect is enough.
describe('API reference at /docs', () => {
  const server = useServer('sqlite')

  test('the page and every asset it references are served by us; nothing names another host', async () => {
    const s = server()
    for (const page of [`${s.url}/docs`, `${s.url}/docs/`]) {
      const res = await fetch(page)
      assert.equal(res.status, 200, page)
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/)
      const html = await res.text()
      assert.match(html, /<title>humcli API reference<\/title>/)
      const csp = res.headers.get('content-security-policy') ?? ''
      assert.match(csp, /default-src 'self'/)
      assert.match(csp, /script-src 'self';/)
      assert.match(csp, /connect-src 'self';/)
      assert.deepEqual(absoluteUrls(html), [], 'no absolute URL in the page')

      const refs = assetRefs(html)
      assert.ok(refs.length >= 5, `assets: ${refs}`)
      assert.ok(refs.some((r) => r.endsWith('/swagger-ui-bundle.js')))
      assert.ok(refs.some((r) => r.endsWith('/swagger-initializer.js')))
      assert.ok(refs.some((r) => r.endsWith('/swagger-ui.css')))
      for (const ref of refs) {
        const url = new URL(ref, page)
        assert.equal(url.origin, new URL(s.url).origin, ref)
        const asset = await fetch(url)
        assert.equal(asset.status, 200, url.href)
        const type = TYPES[path.extname(url.pathname)]
        assert.ok(type, `unexpected asset type ${url.pathname}`)
        assert.match(asset.headers.get('content-type') ?? '', type, url.href)
        const body = Buffer.from(await asset.arrayBuffer())
        const file = path.join(STATIC, path.basename(url.pathname))
        if (fs.existsSync(file))
          assert.ok(body.equals(fs.readFileSync(file)), `${url.pathname} is the installed file`)
        if (url.pathname.endsWith('.css')) {
          const css = body.toString()
          assert.doesNotMatch(css, /@import/)
          assert.deepEqual(
            [...css.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]).filter((u) => !/^["']?data:/.test(u!)),
            [],
            'stylesheets load nothing (no fonts or images from elsewhere)',
          )
        }
      }
    }
  })

  test('the initializer points at our OpenAPI document, with the online validator off', async () => {
    const s = server()
    const js = await (await fetch(`${s.url}/docs/static/swagger-initializer.js`)).text()
    assert.deepEqual(absoluteUrls(js), [], 'no absolute URL in the initializer')
    assert.match(js, /validatorUrl: null/)
    const spec = /url: resolveUrl\('([^']+)'\)/.exec(js)
    assert.ok(spec, 'the initializer names the document it loads')
    // resolveUrl() resolves against the page URL with a trailing slash.
    const specUrl = new URL(spec[1]!, `${s.url}/docs/`)
    const fromDocs = await fetch(specUrl)
    assert.equal(fromDocs.status, 200, specUrl.href)
    const doc = await fromDocs.json()
    const canonical = await (await fetch(`${s.url}/api/v1/openapi.json`)).json()
    assert.deepEqual(doc, canonical)
    assert.equal(doc.openapi, '3.1.0')
    assert.ok(doc.paths['/api/v1/tasks'], 'the document is the humcli API')
  })

  test('/docs and /metrics stay out of the API document', async () => {
    const s = server()
    const doc = await (await fetch(`${s.url}/api/v1/openapi.json`)).json()
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/docs') || p.startsWith('/metrics')))
  })
})
