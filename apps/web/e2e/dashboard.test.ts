/**
 * The agent dashboard (`/dashboard`) through the UI only, against a real server: magic-link
 * sign-in read from the dev mail folder, API keys, a sandbox task run by the simulator, webhook
 * deliveries to a real local receiver, the wallet; at phone and desktop sizes, axe on every page.
 * Signed in with an API key (a real operator's task, and the failure pages: bad key, a staff
 * token, an expired session, an unknown page): dashboard-key.test.ts.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { plainText } from '../../server/test/agents/smtp.ts'
import { request } from '../../server/test/helpers/api.ts'
import { createTask, newAgent } from '../../server/test/helpers/fixtures.ts'
import type { TestServer } from '../../server/test/helpers/harness.ts'
import { type Receiver, startReceiver } from '../../server/test/helpers/receiver.ts'
import { testWallet } from '../../server/test/helpers/wallet.ts'
import { DESKTOP, PHONE, useWeb } from './harness.ts'
import { checkDashboardPage, DASHBOARD_CONFIG, shot } from './steps.ts'

const STEP = DASHBOARD_CONFIG.sandboxStepMs
const DEPOSIT_ADDRESS = DASHBOARD_CONFIG.depositAddress

/** The login link of the newest dashboard mail to this address, from the dev mail folder. */
function loginLink(server: TestServer, email: string): string {
  const dir = path.join(server.db.dir, 'mail')
  const links = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .filter((raw) => raw.includes(email))
    .map(plainText)
    .map((text) => /(http:\/\/\S+\/dashboard\/login#token=[A-Za-z0-9_-]+)/.exec(text)?.[1])
    .filter((l): l is string => !!l)
  assert.equal(links.length, 1, `one login mail to ${email}`)
  return links[0]!
}

async function step(server: TestServer): Promise<void> {
  server.clock.advance(STEP)
  await server.runJobs()
}

/** The pages whose screenshots docs/screenshots keeps (a docs run: HUMCLI_SCREENSHOTS=1). */
const SHOTS = new Set([
  'dashboard-phone-login',
  'dashboard-phone-keys',
  'dashboard-phone-task',
  'dashboard-desktop-account',
  'dashboard-desktop-task',
  'dashboard-desktop-deliveries',
])

async function check(page: Page, where: string, name?: string): Promise<void> {
  await checkDashboardPage(page, where)
  if (name && SHOTS.has(name)) await shot(page, name)
}

describe('agent dashboard', () => {
  const web = useWeb(DASHBOARD_CONFIG)
  let receiver: Receiver
  before(async () => {
    receiver = await startReceiver()
  })
  after(async () => {
    await receiver?.close()
  })

  for (const [size, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    test(`${size}: magic link, API key created and revoked, a sandbox task completes, its webhook deliveries`, async () => {
      const { server } = web()
      const agent = await newAgent(server)
      await server.runJobs() // the registration email
      const email = (await agent.api.get('/agents/me')).body.email as string
      const ctx = await web().context({ viewport })
      await ctx.grantPermissions(['clipboard-read', 'clipboard-write'])
      const page = await ctx.newPage()
      const errors: string[] = []
      page.on('pageerror', (e) => errors.push(e.message))

      // Signed out, a dashboard page goes to the dashboard's own sign-in.
      await page.goto('/dashboard/tasks')
      await page.getByRole('heading', { name: 'Agent dashboard' }).waitFor()
      assert.match(page.url(), /\/dashboard\/login\?next=%2Fdashboard%2Ftasks$/)
      await check(page, 'dashboard sign-in', `dashboard-${size}-login`)

      // The magic link: asked for in the UI, read from the mail, opened in the browser.
      await page.getByLabel('Email', { exact: true }).fill(email)
      await page.getByRole('button', { name: 'Send the link' }).click()
      await page.getByText(`If an agent is registered with ${email}, a login link is on its way.`).waitFor()
      await server.runJobs()
      const link = loginLink(server, email)
      assert.ok(link.startsWith(server.url), link)
      await page.goto(link)
      await page.getByRole('heading', { name: 'Account', exact: true }).waitFor()
      assert.equal(new URL(page.url()).hash, '', 'the token is gone from the address bar')
      assert.match(page.url(), /\/dashboard$/)

      // The account: tier, limits and usage, balances, ledger.
      await page.getByRole('heading', { name: 'Limits and usage today (UTC)' }).waitFor()
      await page.getByText('SANDBOX', { exact: true }).waitFor()
      await page.getByText(agent.id).waitFor()
      await page.getByText('No ledger lines yet.').waitFor()
      await check(page, 'account', `dashboard-${size}-account`)

      // A webhook endpoint on a real local receiver, its secret shown once.
      await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click()
      await page.getByText('No webhook endpoints yet.').waitFor()
      const hookUrl = `http://localhost:${receiver.port}/${size}`
      await page.getByLabel('URL', { exact: true }).fill(hookUrl)
      await page.getByLabel('Description (optional)').fill(`the ${size} receiver`)
      await page.getByRole('button', { name: 'Add endpoint' }).click()
      await page.getByText('The signing secret of the new endpoint.').waitFor()
      const firstSecret = (await page.locator('.secret code').textContent()) ?? ''
      assert.match(firstSecret, /^whsec_/)
      await check(page, 'webhooks', `dashboard-${size}-webhooks`)

      // An API key: created (shown once, copied), then revoked; the revoked key gets 401.
      await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click()
      await page.getByLabel('Name', { exact: true }).fill(`ci ${size}`)
      await page.getByRole('button', { name: 'Create key' }).click()
      const newKey = (await page.getByTestId('new-key').textContent())!
      assert.match(newKey, /^ho_live_/)
      await page.getByRole('button', { name: 'Copy key' }).click()
      await page.getByText('Copied.').waitFor()
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), newKey)
      assert.equal((await request(server.url, 'GET', '/agents/me', { key: newKey })).status, 200)
      await check(page, 'api keys (new key shown)', `dashboard-${size}-keys`)
      await page.getByRole('button', { name: `Revoke ci ${size}` }).click()
      await page.getByText(`Revoke "ci ${size}"? Programs using it stop working at once.`).waitFor()
      await page.getByRole('button', { name: 'Yes, revoke' }).click()
      await page.getByText(`Key "ci ${size}" revoked.`).waitFor()
      assert.equal(await page.getByTestId('new-key').count(), 0, 'the key is not shown any more')
      assert.equal(await page.getByRole('button', { name: `Revoke ci ${size}` }).count(), 0)
      const revoked = await request(server.url, 'GET', '/agents/me', { key: newKey })
      assert.equal(revoked.status, 401, revoked.text)
      // The last live key cannot be revoked: the page says what to do.
      const [last] = (await agent.api.get('/agents/keys')).body.data as { name: string }[]
      await page.getByRole('button', { name: `Revoke ${last!.name}` }).click()
      await page.getByRole('button', { name: 'Yes, revoke' }).click()
      await page.getByText('This is your last live key. Create another one first').waitFor()

      // A sandbox task (created through the API, as agents do), run by the simulator.
      const taskId = await createTask(server, agent, {
        title: `Storefront ${size}`,
        reward_usd: 8,
        proof_requirements: ['photo of the storefront', 'photo of the opening hours'],
      })
      await page.getByRole('navigation').getByRole('link', { name: 'Tasks' }).click()
      await page.getByRole('link', { name: `Storefront ${size}` }).click()
      await page.getByRole('heading', { name: `Storefront ${size}` }).waitFor()
      await page.locator('.tag.status-PENDING').waitFor()
      await step(server) // the simulated operator sends an estimate
      await page.getByRole('button', { name: 'Approve estimate' }).waitFor({ timeout: 20_000 })
      await check(page, 'task with an estimate', `dashboard-${size}-estimate`)
      await page.getByRole('button', { name: 'Approve estimate' }).click()
      await page.getByText('Estimate approved: the operator can start.').waitFor()
      await server.runJobs()
      await step(server) // started
      await step(server) // proof, the Guardian, completion
      const done = (await agent.api.get(`/tasks/${taskId}`)).body
      assert.equal(done.status, 'COMPLETED', JSON.stringify(done.transitions))
      await page.reload()
      await page.getByRole('heading', { name: 'Guardian checks' }).waitFor()
      await page.locator('.tag.status-COMPLETED').waitFor()
      const photos = page.getByRole('img', { name: /^Proof photo \d/ })
      assert.equal(await photos.count(), 2)
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLImageElement>('.photos img')].every(
          (img) => img.complete && img.naturalWidth > 0,
        ),
      )
      for (const c of done.guardian_result.checks as { name: string }[]) {
        await page.getByText(c.name, { exact: true }).first().waitFor()
      }
      const history = page.locator('section[aria-labelledby="history"] li')
      assert.equal(await history.count(), done.transitions.length)
      // Operator-written notes are text, never markup.
      assert.equal(await page.locator('.quote script, .quote img').count(), 0)
      await check(page, 'completed task', `dashboard-${size}-task`)
      await page.getByRole('link', { name: '← Tasks' }).click()
      await page.getByRole('combobox', { name: /^Status/ }).selectOption('COMPLETED')
      await page.getByRole('link', { name: `Storefront ${size}` }).waitFor()
      assert.match(page.url(), /status=COMPLETED/)
      await page.getByRole('combobox', { name: /^Status/ }).selectOption('CANCELLED')
      await page.getByText('No tasks with this status.').waitFor()
      await check(page, 'tasks, filtered', `dashboard-${size}-tasks`)

      // The deliveries of the task's events, a test ping and a redelivery.
      await server.runJobs()
      await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click()
      await page.getByRole('link', { name: hookUrl }).click()
      await page.getByRole('heading', { name: 'Deliveries' }).waitFor()
      await page.locator('.row-main code', { hasText: 'task.status_changed' }).first().waitFor()
      const received = receiver.received.filter((r) => r.path === `/${size}`)
      assert.ok(received.length >= 6, `the receiver got the task's events (${received.length})`)
      const shown = page.locator('ul.cards > li')
      assert.equal(await shown.count(), Math.min(20, received.length))
      assert.equal(
        await page.locator('ul.cards > li .tag', { hasText: 'delivered' }).count(),
        await shown.count(),
      )
      await page.getByRole('button', { name: 'Send test ping' }).click()
      await page.getByText('Test ping queued: it appears below.').waitFor()
      await server.runJobs()
      await page.getByRole('button', { name: 'Refresh' }).click()
      await page.locator('.row-main code', { hasText: 'webhook.ping' }).waitFor()
      assert.ok(receiver.received.some((r) => r.path === `/${size}` && r.body.includes('webhook.ping')))
      const before = receiver.received.length
      await shown.first().getByRole('button', { name: 'Redeliver' }).click()
      await page.getByText('Redelivery queued.').waitFor()
      await server.runJobs()
      assert.equal(receiver.received.length, before + 1, 'redelivered once')
      await page.getByRole('button', { name: 'Refresh' }).click()
      await shown.first().getByText('attempts: 2').waitFor()
      await shown.first().getByText('Request and response').click()
      await check(page, 'webhook endpoint', `dashboard-${size}-deliveries`)

      // A new secret (shown once): deliveries are signed with both for a day.
      await page.getByRole('button', { name: 'Rotate secret' }).click()
      await page.getByRole('button', { name: 'Yes, rotate' }).click()
      await page.getByText('The new signing secret.').waitFor()
      const secondSecret = (await page.locator('.secret code').textContent()) ?? ''
      assert.match(secondSecret, /^whsec_/)
      assert.notEqual(secondSecret, firstSecret)
      await page.getByRole('button', { name: 'Send test ping' }).click()
      await page.getByText('Test ping queued: it appears below.').waitFor()
      await server.runJobs()
      const signed = receiver.received.filter((r) => r.path === `/${size}`).at(-1)!
      assert.equal(String(signed.headers['webhook-signature']).split(' ').length, 2, 'old and new signatures')
      await check(page, 'webhook endpoint, rotated')
      // Deleted, after asking.
      await page.getByRole('button', { name: 'Delete endpoint' }).click()
      await page.getByRole('button', { name: 'Yes, delete' }).click()
      await page.getByText('No webhook endpoints yet.').waitFor()

      // The wallet: the deposit address, a challenge signed by the agent's wallet, then bound.
      // On the phone the signature is pasted (made in another wallet app); on the desktop a
      // browser wallet (EIP-1193, as an extension injects it) signs on the button.
      const wallet = testWallet()
      if (size === 'desktop') {
        await page.exposeFunction('testWalletSign', (message: string) => wallet.sign(message))
        // A string, not a function: tsx's compiled functions call helpers the page lacks.
        await page.addInitScript(`window.ethereum = {
          request: async ({ method, params }) => {
            if (method === 'eth_requestAccounts') return [${JSON.stringify(wallet.address)}]
            if (method === 'personal_sign') return window.testWalletSign(params[0])
            throw new Error('unsupported ' + method)
          },
        }`)
        await page.reload()
        await page.getByText('No webhook endpoints yet.').waitFor()
      }
      await page.getByRole('navigation').getByRole('link', { name: 'Wallet' }).click()
      await page.getByText('No wallet bound yet.').waitFor()
      await page.getByText(DEPOSIT_ADDRESS, { exact: true }).waitFor()
      await page.getByText('Bind your wallet first').waitFor()
      await page.getByRole('button', { name: 'Get the message to sign' }).click()
      await page.getByText('Sign exactly this message').waitFor()
      const signatureField = page.getByLabel('Signature (0x and 130 hex digits)')
      if (size === 'phone') {
        await page.getByLabel('Wallet address').fill(wallet.address)
        await signatureField.fill('0x1234')
        await page.getByRole('button', { name: 'Bind wallet' }).click()
        await page.getByText('The signature must be 0x followed by 130 hex digits.').waitFor()
        // A signature of another message is refused by the server, with its reason.
        await signatureField.fill(wallet.sign('some other message'))
        await page.getByRole('button', { name: 'Bind wallet' }).click()
        await page.locator('p.error[role="alert"]').waitFor()
        const message = (await page.locator('section[aria-labelledby="bind"] pre').textContent())!
        await signatureField.fill(wallet.sign(message))
      } else {
        await page.getByRole('button', { name: 'Sign with the browser wallet' }).click()
        await page.waitForFunction(
          () => (document.querySelector('textarea') as HTMLTextAreaElement | null)?.value.length === 132,
        )
      }
      await check(page, 'wallet, signing', `dashboard-${size}-wallet`)
      await page.getByRole('button', { name: 'Bind wallet' }).click()
      await page.getByText(/^Wallet 0x[0-9a-fA-F]{40} is bound\.$/).waitFor()
      const bound = (await agent.api.get('/agents/me')).body.wallet_address as string
      assert.equal(bound.toLowerCase(), wallet.address)
      await page.locator('code.address', { hasText: bound }).waitFor()
      assert.equal(await page.getByText('Bind your wallet first').count(), 0)

      // Sign out: the session ends, the next page asks to sign in again.
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('heading', { name: 'Agent dashboard' }).waitFor()
      await page.goto('/dashboard')
      await page.getByRole('button', { name: 'Send the link' }).waitFor()
      assert.deepEqual(errors, [])
    })
  }
})
