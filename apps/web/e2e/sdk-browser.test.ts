// The SDK in a real browser: bundled by Vite for the browser from the published entry points
// (no Node built-ins may sneak in: the bundle would not run), loaded into Chromium on the test
// server's origin, and used there against the real API — register, create, read, a credential
// key pair (libsodium, loaded on demand) and a webhook signature check (@noble/hashes).
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { taskBody } from '../../server/test/helpers/fixtures.ts'
import { useWeb } from './harness.ts'

async function bundleSdk(): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-sdk-bundle-'))
  try {
    await build({
      configFile: false,
      logLevel: 'silent',
      root: fileURLToPath(new URL('.', import.meta.url)),
      build: {
        outDir,
        emptyOutDir: false,
        minify: false,
        lib: {
          entry: fileURLToPath(new URL('./sdk-entry.ts', import.meta.url)),
          formats: ['iife'],
          name: 'HumcliSdkBundle',
          fileName: () => 'sdk.js',
        },
      },
    })
    return fs.readFileSync(path.join(outDir, 'sdk.js'), 'utf8')
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true })
  }
}

describe('the SDK in Chromium', () => {
  const web = useWeb()

  test('bundled for the browser, it registers, creates and reads a task, makes a key pair and checks a webhook', async () => {
    const { server } = web()
    const bundle = await bundleSdk()
    assert.doesNotMatch(
      bundle,
      /from\s*["']node:|require\(["']node:/,
      'no Node built-ins in the browser bundle',
    )
    const ctx = await web().context()
    const page = await ctx.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    // A page of the server's origin (so the API is same-origin) that carries the bundle.
    await page.route(`${server.url}/sdk-check.html`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>sdk</title><script>${bundle.replaceAll('</script', '<\\/script')}</script>`,
      }),
    )
    await page.goto(`${server.url}/sdk-check.html`)
    const secret = 'browser-webhook-secret-0123456789'
    const payload = JSON.stringify({ event: 'task.status_changed', task_id: 'task_x', status: 'COMPLETED' })
    const result = await page.evaluate(
      async ({ base, task, secret, payload, signature }) => {
        const { Humcli, generateKeyPair, verifyWebhook } = (globalThis as any).HumcliSdk
        const reg = await Humcli.register(
          { name: 'Browser agent', email: `browser-${Date.now()}@example.com` },
          { baseUrl: base },
        )
        const humcli = new Humcli({ baseUrl: base, apiKey: reg.api_key })
        const created = await humcli.tasks.create(task)
        const read = await humcli.tasks.get(created.task_id)
        const keys = await generateKeyPair()
        const verified = verifyWebhook(payload, { 'x-signature': signature }, secret)
        let forged = ''
        try {
          verifyWebhook(payload, { 'x-signature': '0'.repeat(64) }, secret)
        } catch (e) {
          forged = (e as Error).name
        }
        return { id: created.task_id, status: read.status, publicKey: keys.publicKey, verified, forged }
      },
      {
        base: server.url,
        task: { ...taskBody(server), reward_usd: 5 },
        secret,
        payload,
        signature: createHmac('sha256', secret).update(payload).digest('hex'),
      },
    )
    assert.deepEqual(errors, [])
    assert.match(result.id, /^task_/)
    assert.equal(result.status, 'PENDING')
    assert.equal(Buffer.from(result.publicKey, 'base64').length, 32, 'an X25519 public key')
    assert.deepEqual(result.verified, JSON.parse(payload))
    assert.equal(result.forged, 'WebhookVerificationError')
    const row = await server.ctx.store.db
      .selectFrom('tasks')
      .select('title')
      .where('id', '=', result.id)
      .executeTakeFirstOrThrow()
    assert.equal(row.title, taskBody(server).title)
  })
})
