/**
 * The staff console with several staff members, through the UI only: two decide one review at
 * once, a reviewer tries an admin action, an operator opens /admin, a session expires, and sign
 * out everywhere ends another browser's session. The console's actions: console.test.ts.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { newAgent, newOperator } from '../../server/test/helpers/fixtures.ts'
import { DESKTOP, PHONE, useWeb } from './harness.ts'
import { axe, inManualReview, setUpStaffByApi, staffEmail, staffSignInUi } from './steps.ts'

describe('staff console with several staff members, through the UI only', () => {
  const web = useWeb()

  test('two staff decide the same review at once: one wins, the other is told who and when', async () => {
    const { server } = web()
    const [a, b] = [staffEmail('ann'), staffEmail('bob')]
    const sa = await setUpStaffByApi(server, a, 'reviewer')
    const sb = await setUpStaffByApi(server, b, 'reviewer')
    server.clock.advance(30_000)
    const { taskId } = await inManualReview(server, 'Photograph the fountain')
    const pages: Page[] = []
    for (const [email, secret] of [
      [a, sa.secret],
      [b, sb.secret],
    ] as const) {
      const page = await (await web().context({ viewport: DESKTOP })).newPage()
      await staffSignInUi(page, server, email, secret)
      await page.goto(`/admin/tasks/${taskId}`)
      await page.getByRole('button', { name: 'Approve and pay' }).waitFor()
      pages.push(page)
    }
    const [pa, pb] = pages as [Page, Page]
    await Promise.all([
      pa.getByRole('button', { name: 'Approve and pay' }).click(),
      pb.getByRole('button', { name: 'Reject and refund' }).click(),
    ])
    const outcome = async (p: Page) => {
      const won = p.getByText('Decided. The task is now:', { exact: false })
      const lost = p.getByRole('alert').filter({ hasText: 'already decided by' })
      await won.or(lost).first().waitFor()
      return (await won.count()) > 0 ? 'won' : 'lost'
    }
    const results = [await outcome(pa), await outcome(pb)]
    assert.deepEqual([...results].sort(), ['lost', 'won'], results.join(','))
    const loser = results[0] === 'lost' ? pa : pb
    const winnerEmail = results[0] === 'won' ? a : b
    const said = (await loser.getByRole('alert').textContent()) ?? ''
    assert.match(
      said,
      new RegExp(
        `already decided by ${winnerEmail.replace(/[.+]/g, '\\$&')} \\(admin:stf_\\w+\\) at 20\\d\\d-`,
      ),
    )
    const lines = await server.ctx.store.db
      .selectFrom('audit_log')
      .select('action')
      .where('object_id', '=', taskId)
      .execute()
    assert.equal(lines.length, 1, 'decided once')
  })

  test('an operator at /admin, a reviewer trying an admin action, an expired session, sign out everywhere', async () => {
    const { server } = web()
    // An operator signed in to the operator app gets the staff sign-in at /admin, not a blank page.
    const opCtx = await web().context()
    const opPage = await opCtx.newPage()
    const op = await newOperator(server)
    await opPage.goto('/login')
    await opPage.getByLabel('Email').fill(op.email)
    await opPage.getByLabel('Password').fill(op.password)
    await opPage.getByRole('button', { name: 'Sign in' }).click()
    await opPage.getByRole('link', { name: 'My tasks' }).waitFor()
    await opPage.goto('/admin/reviews')
    await opPage.getByRole('heading', { name: 'Staff sign-in' }).waitFor()
    await opPage.getByText('This console is for humcli staff only.', { exact: false }).waitFor()

    // A reviewer may look an agent up but not change its tier: a sentence, nothing changed.
    const email = staffEmail('rita')
    const { secret } = await setUpStaffByApi(server, email, 'reviewer')
    server.clock.advance(30_000)
    const ctx: BrowserContext = await web().context({ viewport: PHONE })
    const page = await ctx.newPage()
    await staffSignInUi(page, server, email, secret)
    const agent = await newAgent(server, { tier: 'STANDARD' })
    await page.goto(`/admin/agents/${agent.id}`)
    await page.getByLabel('New tier').selectOption('SANDBOX')
    await page.getByRole('button', { name: 'Change tier' }).click()
    await page.getByText('This action needs the admin role; you are a reviewer.', { exact: false }).waitFor()
    assert.equal((await agent.api.get('/agents/me')).body.tier, 'STANDARD')
    await page.getByRole('link', { name: 'Stuck payouts' }).click()
    await page.getByText('This action needs the admin role; you are a reviewer.', { exact: false }).waitFor()

    // 13 hours later (past the 12 h idle timeout) the next page says the session ended.
    server.clock.advance(13 * 3_600_000)
    await page.getByRole('link', { name: 'Audit log' }).click()
    await page.getByText('Your console session has ended', { exact: false }).waitFor()
    await axe(page, 'expired session')

    // Sign out everywhere: a second browser's session ends too.
    await staffSignInUi(page, server, email, secret)
    server.clock.advance(30_000)
    const other = await (await web().context()).newPage()
    await staffSignInUi(other, server, email, secret)
    await page.getByRole('button', { name: 'Sign out everywhere' }).click()
    await page.getByText('You are signed out.').waitFor()
    await other.getByRole('link', { name: 'Health' }).click()
    await other.getByText('Your console session has ended', { exact: false }).waitFor()
  })
})
