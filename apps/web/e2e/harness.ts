/**
 * Browser tests of the web app: Debian's chromium driven by playwright-core, against a real
 * server (apps/server's test harness: fresh database, real HTTP on 127.0.0.1) that serves the
 * built app from apps/web/dist. One server and one browser per test file; a fresh context
 * (cookies, storage) per test.
 */
import fs from 'node:fs'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import { AxeBuilder } from '@axe-core/playwright'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import type { Config } from '../../server/src/config.ts'
import { startTestServer, type TestServer } from '../../server/test/helpers/harness.ts'

export const CHROMIUM = process.env.HUMCLI_CHROMIUM || '/usr/bin/chromium'
export const WEB_DIST = fileURLToPath(new URL('../dist', import.meta.url))
export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1280, height: 900 }

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-dev-shm-usage',
]

export interface WebHarness {
  server: TestServer
  browser: Browser
  /** A fresh browser context (no cookies, no storage) at phone size, in English. */
  context(opts?: { viewport?: { width: number; height: number }; locale?: string }): Promise<BrowserContext>
}

/** Starts the server (over SQLite; the API's PostgreSQL matrix is tested under apps/server) and chromium. */
export function useWeb(overrides: Partial<Config> = {}): () => WebHarness {
  let h: WebHarness | undefined
  const contexts: BrowserContext[] = []
  before(async () => {
    if (!fs.existsSync(`${WEB_DIST}/index.html`)) {
      throw new Error('apps/web/dist is missing: run `npm run build` first (npm test does).')
    }
    const server = await startTestServer('sqlite', { webDir: WEB_DIST, ...overrides })
    // The app and the server compare times (countdowns, token expiry): start at the real now.
    server.clock.set(new Date())
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS })
    h = {
      server,
      browser,
      async context(opts = {}) {
        const ctx = await browser.newContext({
          baseURL: server.url,
          viewport: opts.viewport ?? PHONE,
          locale: opts.locale ?? 'en-US',
          serviceWorkers: 'block',
        })
        contexts.push(ctx)
        return ctx
      },
    }
  })
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await h?.browser.close().catch(() => {})
    await h?.server.close()
  })
  return () => {
    if (!h) throw new Error('web harness not started')
    return h
  }
}

/** axe on the page as it is: the serious and critical violations (none expected). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze()
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)
}
