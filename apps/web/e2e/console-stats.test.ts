/**
 * The staff console's charts (`/admin/stats`) through the UI, against a real server: a staff
 * user signs in with TOTP, opens the charts from the navigation and sees the figures the API
 * gives (the summaries and the table behind each chart's toggle), for 30 and 90 days; the page
 * loads nothing from another origin, breaks nothing of the CSP, fits a phone, and axe finds no
 * serious or critical violation.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { DailyStatsRow } from '@humcli/contract'
import type { Page } from 'playwright-core'
import { createStaffUser } from '../../server/src/staff/create-staff-user.ts'
import { client } from '../../server/test/helpers/api.ts'
import {
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  review,
} from '../../server/test/helpers/fixtures.ts'
import type { TestServer } from '../../server/test/helpers/harness.ts'
import { codeAt } from '../../server/test/helpers/staff.ts'
import { DESKTOP, PHONE, useWeb } from './harness.ts'
import { axe, shot } from './steps.ts'

const PASSWORD = 'a long staff password'
const DAY_MS = 86_400_000

/** A staff user made by `humcli admin create-user`'s function and set up through the API. */
async function staffUser(server: TestServer) {
  const email = `stats-${process.pid}@example.com`
  const u = await createStaffUser(server.ctx, { email, role: 'reviewer', actor: 'cli' })
  const token = u.setup_link.split('#token=')[1]!
  const anon = client(server.url)
  const secret = (await anon.get(`/staff/setup?token=${token}`)).body.totp_secret as string
  const r = await anon.post('/staff/setup', { token, password: PASSWORD, totp_code: codeAt(server, secret) })
  assert.equal(r.status, 200, r.text)
  return { email, secret }
}

/** Ten days of activity up to today: completions, a refund a day, a manual review. */
async function history(server: TestServer) {
  const now = Date.now()
  for (let d = 9; d >= 0; d--) {
    server.clock.set(new Date(now - d * DAY_MS - 3_600_000))
    const agent = await newAgent(server, { tier: 'STANDARD', deposit: 200 })
    const op = await newOperator(server)
    for (let i = 0; i <= (d * 5) % 4; i++) {
      const id = await createTask(server, agent, { reward_usd: 10 + 5 * i })
      await driveTo(server, agent, op, id, 'SUBMITTED')
      server.clock.advance((20 + 10 * d + i) * 60_000)
      await review(server, id, 'VERIFIED', 95)
    }
    const refunded = await createTask(server, agent, { reward_usd: 7 })
    assert.equal((await agent.api.post(`/tasks/${refunded}/cancel`, {})).status, 200)
    if (d === 2) {
      const id = await createTask(server, agent, { reward_usd: 9 })
      await driveTo(server, agent, op, id, 'SUBMITTED')
      await review(server, id, 'MANUAL_REVIEW')
    }
  }
  server.clock.set(new Date())
}

const usd = (v: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(v)
const total = (rows: DailyStatsRow[], f: keyof DailyStatsRow) =>
  Math.round(rows.reduce((a, r) => a + Number(r[f] ?? 0), 0) * 1e6) / 1e6

/** What the page says matches the API's answer for the same window. */
async function matchesApi(page: Page, server: TestServer, days: number) {
  const window = (await page.getByTestId('stats-window').textContent())!
  const [, from, to] = /from (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)/.exec(window)!
  assert.equal((Date.parse(to!) - Date.parse(from!)) / DAY_MS + 1, days)
  const api = (await newAdmin(server)).api
  const r = await api.get(`/admin/stats/daily?from=${from}&to=${to}`)
  assert.equal(r.status, 200, r.text)
  const rows = r.body.data as DailyStatsRow[]
  assert.ok(total(rows, 'tasks_created') >= 12, 'the history is in the window')
  const summary = async (id: string) => (await page.getByTestId(`summary-${id}`).textContent())!
  assert.equal(
    await summary('tasks'),
    `Created: ${total(rows, 'tasks_created')} in total; Completed: ${total(rows, 'tasks_completed')} in total`,
  )
  assert.equal(
    await summary('money'),
    `Escrowed: ${usd(total(rows, 'escrowed_usd'))} in total; Released to operators: ${usd(total(rows, 'released_usd'))} in total; Refunded to agents: ${usd(total(rows, 'refunded_usd'))} in total`,
  )
  assert.equal(await summary('fees'), `Fee revenue: ${usd(total(rows, 'fee_revenue_usd'))} in total`)
  assert.equal(
    await summary('guardian'),
    `Verified: ${total(rows, 'guardian_verified')} in total; Manual review: ${total(rows, 'guardian_manual_review')} in total; Sent back: ${total(rows, 'guardian_resubmit')} in total`,
  )
  const medians = rows.filter((x) => x.median_completion_s !== null)
  assert.match(await summary('median'), new RegExp(`on the ${medians.length} days with completions$`))
  return rows
}

describe('staff console charts, through the UI', () => {
  const web = useWeb({ operatorTokenTtlS: 7 * 86_400 })

  test('sign in, open the charts, the figures match the API; 30 and 90 days; tables; phone; CSP; axe', async () => {
    const { server } = web()
    await history(server)
    const { email, secret } = await staffUser(server)
    const ctx = await web().context({ viewport: DESKTOP })
    const page = await ctx.newPage()
    const foreign: string[] = []
    page.on('request', (req) => {
      const u = req.url()
      if (!u.startsWith(server.url) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u)
    })
    const csp: string[] = []
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) csp.push(m.text())
    })
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`)
      })
    })

    // The next 30-second step: the set-up used this one's code, and a code works once.
    server.clock.advance(30_000)
    await page.goto('/admin/login')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByLabel('Code from your authenticator app').fill(codeAt(server, secret))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByTestId('staff-user').getByText(email).waitFor()
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Charts' }).click()
    await page.getByRole('heading', { name: 'Daily figures' }).waitFor()
    await page.getByTestId('summary-tasks').waitFor()
    assert.equal(await page.getByRole('radio', { name: 'Last 30 days' }).isChecked(), true)
    // Each chart is drawn: uPlot's canvas, with our legend beside it.
    for (const id of ['tasks', 'money', 'fees', 'guardian', 'median']) {
      await page.getByTestId(`chart-${id}`).locator('canvas').first().waitFor()
    }
    const rows = await matchesApi(page, server, 30)
    await shot(page, 'console-stats')

    // The text alternative: the tasks chart as a table, one row per day, newest first.
    const tasks = page.getByTestId('chart-tasks')
    await tasks.getByRole('button', { name: 'Show the figures as a table' }).click()
    const body = tasks.locator('tbody tr')
    assert.equal(await body.count(), 30)
    const shown = new Map<string, string[]>()
    for (const tr of await body.all()) {
      const day = (await tr.locator('th').textContent())!
      shown.set(day, await tr.locator('td').allTextContents())
    }
    for (const r of rows)
      assert.deepEqual(shown.get(r.day), [String(r.tasks_created), String(r.tasks_completed)], r.day)
    const money = page.getByTestId('chart-money')
    await money.getByRole('button', { name: 'Show the figures as a table' }).click()
    const busiest = rows.reduce((a, b) => (b.escrowed_usd > a.escrowed_usd ? b : a))
    const cells = await money
      .locator('tbody tr', { has: page.getByRole('rowheader', { name: busiest.day }) })
      .locator('td')
      .allTextContents()
    assert.deepEqual(cells, [usd(busiest.escrowed_usd), usd(busiest.released_usd), usd(busiest.refunded_usd)])
    await axe(page, 'console charts, tables open')

    // 90 days: the address keeps the choice; the figures follow.
    await page.getByRole('radio', { name: 'Last 90 days' }).check()
    await page.waitForURL(/\/admin\/stats\?days=90$/)
    await page
      .getByTestId('stats-window')
      .getByText(/from \d/)
      .waitFor()
    await page.waitForFunction(() => {
      const w = document.querySelector('[data-testid=stats-window]')?.textContent ?? ''
      const m = /from (\S+) to (\S+);/.exec(w)
      return (
        m &&
        (Date.parse(m[2]!) - Date.parse(m[1]!)) / 86_400_000 === 89 &&
        document.querySelector('[data-testid=summary-tasks]')
      )
    })
    await matchesApi(page, server, 90)
    await axe(page, 'console charts, 90 days')

    // On a phone: no sideways scrolling, each chart as wide as its box.
    await page.setViewportSize(PHONE)
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid=chart-tasks] canvas') as HTMLCanvasElement | null
      return c && c.getBoundingClientRect().width <= window.innerWidth
    })
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= PHONE.width, `${width} px wide at ${PHONE.width} px`)
    await axe(page, 'console charts on a phone')
    await shot(page, 'console-stats-phone')

    assert.deepEqual(foreign, [], 'every file from the server itself (no CDN)')
    assert.deepEqual(csp, [], 'nothing the CSP blocks')
  })
})
