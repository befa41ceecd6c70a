/**
 * The agent dashboard signed in with an API key, through the UI only: a real operator's task
 * (what they wrote shown as text, the estimate approved, the proof disputed, the money in the
 * ledger), and bad input (a wrong key, a staff token, a used link, an unknown page, an expired
 * session). axe on every page. The magic-link walk through every page: dashboard.test.ts.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createTask,
  newAdmin,
  newAgent,
  newOperator,
  proofForm,
  TINY_JPEG,
} from '../../server/test/helpers/fixtures.ts'
import { DESKTOP, useWeb } from './harness.ts'
import { checkDashboardPage as check, DASHBOARD_CONFIG } from './steps.ts'

describe('agent dashboard, signed in with an API key', () => {
  const web = useWeb(DASHBOARD_CONFIG)

  test('a real operator: what they wrote is text, the estimate approved and the proof disputed through the UI, money in the ledger', async () => {
    const { server } = web()
    const agent = await newAgent(server, { tier: 'VERIFIED', deposit: 100 })
    const op = await newOperator(server)
    const taskId = await createTask(server, agent, { title: 'Inspect the door' })
    const hostile = '<img src=x onerror="window.__pwned=1"><b>bold</b>'
    const accepted = await op.api.post(`/operator/tasks/${taskId}/accept`, {
      estimate_hours: 1,
      estimate_note: `On my way ${hostile}`,
    })
    assert.equal(accepted.status, 200, accepted.text)

    const ctx = await web().context({ viewport: DESKTOP })
    const page = await ctx.newPage()
    await page.goto(`/dashboard/tasks/${taskId}`)
    await page.getByLabel('API key', { exact: true }).fill(agent.key)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Inspect the door' }).waitFor()
    await page.getByText(`On my way ${hostile}`, { exact: true }).waitFor()
    await page.getByRole('button', { name: 'Approve estimate' }).click()
    await page.getByText('Estimate approved: the operator can start.').waitFor()

    assert.equal((await op.api.post(`/operator/tasks/${taskId}/start`)).status, 200)
    const notes = `<script>window.__pwned=1</script>Done. ${hostile}`
    const proof = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, {
      form: proofForm([TINY_JPEG], notes),
    })
    assert.equal(proof.status, 200, proof.text)
    await page.reload()
    await page.getByRole('heading', { name: "Operator's notes" }).waitFor()
    await page.getByText(notes, { exact: true }).waitFor()
    assert.equal(await page.locator('main b, main script, .quote img').count(), 0, 'no markup from operators')
    assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined)
    await check(page, 'submitted proof')

    // Rejecting needs a reason; then the task is disputed.
    const reject = page.getByRole('button', { name: 'Reject proof' })
    assert.equal(await reject.isDisabled(), true)
    await page
      .getByLabel('Reason for rejecting the proof (the operator and staff read it)')
      .fill('The door is not in the photo.')
    await reject.click()
    await page.getByText('Proof rejected: staff will decide the dispute.').waitFor()
    await page.locator('.tag.status-DISPUTED').waitFor()
    assert.equal((await agent.api.get(`/tasks/${taskId}`)).body.status, 'DISPUTED')
    await page.getByText('The door is not in the photo.').first().waitFor()

    // The money: the deposit and the escrow, line by line.
    await page.getByRole('navigation').getByRole('link', { name: 'Account' }).click()
    await page.getByRole('heading', { name: 'Ledger' }).waitFor()
    const balance = (await agent.api.get('/agents/balance')).body
    await page.getByText(`$${balance.deposit_balance.toFixed(2)}`, { exact: true }).waitFor()
    await page.getByText(`$${balance.escrow_balance.toFixed(2)}`, { exact: true }).waitFor()
    const lines = (await agent.api.get('/agents/transactions')).body.data as { kind: string }[]
    assert.equal(await page.locator('section[aria-labelledby="ledger"] li').count(), lines.length)
    await page.getByRole('link', { name: taskId }).first().waitFor()
    await check(page, 'account with a ledger')

    // In Spanish too.
    await page.getByLabel('Language').selectOption('es')
    await page.getByRole('heading', { name: 'Movimientos' }).waitFor()
    await page.getByRole('navigation').getByRole('link', { name: 'Claves de API' }).waitFor()
  })

  test('bad input: a wrong key, a staff token, a used link, an unknown page, an expired session', async () => {
    const { server } = web()
    const agent = await newAgent(server)
    const admin = await newAdmin(server)
    const ctx = await web().context()
    const page = await ctx.newPage()
    await page.goto('/dashboard/login')
    const key = page.getByLabel('API key', { exact: true })
    await key.fill('ho_live_not_a_real_key_at_all')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('This API key is not valid: check that you pasted all of it').waitFor()
    await key.fill(admin.token)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('This is a staff token, not an agent API key').waitFor()
    await check(page, 'sign-in errors')

    // A used (or made-up) login link says so, on the sign-in page.
    await page.goto('/dashboard/login#token=made-up-token-that-never-existed')
    await page.getByText('This login link is unknown, used or expired. Ask for a new one below.').waitFor()

    // Signed in with the key; an unknown page is a page, not a blank screen.
    await key.fill(agent.key)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Account', exact: true }).waitFor()
    await page.goto('/dashboard/nothing-here')
    await page.getByRole('heading', { name: 'There is no such dashboard page.' }).waitFor()
    await page.goto('/dashboard/tasks/tsk_does_not_exist')
    await page.getByText('Not found: it may belong to another account').waitFor()
    await check(page, 'unknown task')
    // Another agent's task is "not found" too.
    const other = await newAgent(server)
    const theirs = await createTask(server, other, { reward_usd: 5 })
    await page.goto(`/dashboard/tasks/${theirs}`)
    await page.getByText('Not found: it may belong to another account').waitFor()

    // An action on a task that moved on meanwhile (cancelled through the API): the server's reason.
    const mine = await createTask(server, agent, { reward_usd: 5, title: 'Cancelled elsewhere' })
    await page.goto(`/dashboard/tasks/${mine}`)
    await page.getByRole('button', { name: 'Cancel task' }).click()
    await page.getByText(/^Cancel this task\? \$0\.00 returns to your deposit balance\.$/).waitFor() // sandbox: nothing escrowed
    const elsewhere = await agent.api.post(`/tasks/${mine}/cancel`, {})
    assert.equal(elsewhere.status, 200, elsewhere.text)
    await page.getByRole('button', { name: 'Yes, cancel it' }).click()
    await page.getByText('Task cannot be cancelled in status CANCELLED').waitFor()
    await check(page, 'failed action')

    // The session outlives its access tokens, not its own lifetime (30 days).
    await page.goto('/dashboard')
    await page.getByText('No ledger lines yet.').waitFor()
    server.clock.advance(31 * 24 * 3_600_000)
    await page.getByRole('navigation').getByRole('link', { name: 'Tasks' }).click()
    await page.getByText('Your session has ended. Sign in again to continue.').waitFor()
    assert.match(page.url(), /\/dashboard\/login\?next=/)
    await check(page, 'expired session')
  })
})
