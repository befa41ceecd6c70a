/**
 * The staff console (`/admin`) through the UI only, against a real server: a staff user made by
 * the CLI's code path enrols TOTP and signs in, decides a manual review, splits a dispute 60/40,
 * approves a KYC, reconciles a stuck payout; the audit log shows each with its actor. axe on
 * every console page. Several staff members at once, roles and sessions: console-staff.test.ts.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import { createTask, driveTo, newAgent, newOperator, txHash } from '../../server/test/helpers/fixtures.ts'
import type { TestServer } from '../../server/test/helpers/harness.ts'
import { makePhoto } from '../../server/test/helpers/images.ts'
import { codeAt } from '../../server/test/helpers/staff.ts'
import { fundedOperator, payoutBody } from '../../server/test/payouts/fixtures.ts'
import { DESKTOP, PHONE, useWeb } from './harness.ts'
import {
  axe,
  createStaffUserLink,
  inManualReview,
  STAFF_PASSWORD,
  setUpStaffByApi,
  shot,
  staffEmail,
  staffSignInUi,
} from './steps.ts'

let n = 0

/**
 * The page at phone size fits the width (no sideways scrolling), and its screenshots at desktop
 * and phone size (docs/screenshots, when HUMCLI_SCREENSHOTS=1).
 */
async function phoneAndShots(page: Page, name: string) {
  await shot(page, `${name}-desktop`)
  await page.setViewportSize(PHONE)
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= PHONE.width, `${name}: ${width} px wide at ${PHONE.width} px`)
  await shot(page, `${name}-phone`)
  await page.setViewportSize(DESKTOP)
}

const auditRows = (page: Page) => page.getByTestId('audit').locator('tbody tr')

describe('staff console, through the UI only', () => {
  const web = useWeb()

  test('set-up link → TOTP enrolment → sign-in → review, 60/40 dispute, KYC; each in the audit log', async () => {
    const { server } = web()
    const ctx = await web().context({ viewport: DESKTOP })
    const page = await ctx.newPage()

    // Signed out, /admin is the staff sign-in, which says who the console is for.
    await page.goto('/admin')
    await page.getByRole('heading', { name: 'Staff sign-in' }).waitFor()
    await page.getByText('This console is for humcli staff only.', { exact: false }).waitFor()
    assert.match(page.url(), /\/admin\/login\?next=%2Fadmin/)
    await axe(page, 'console sign-in')

    // The set-up link the CLI printed: QR code, secret, password, a current code.
    const email = staffEmail('alice')
    const u = await createStaffUserLink(server, email, 'admin')
    await page.goto(u.path)
    await page.getByRole('heading', { name: 'Set up your staff account' }).waitFor()
    await page.getByRole('img', { name: 'QR code of your authenticator secret' }).waitFor()
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim()
    assert.match(secret, /^[A-Z2-7]{32}$/)
    await axe(page, 'set-up')
    await page.getByLabel('2. Choose a password').fill(STAFF_PASSWORD)
    await page.getByLabel('Repeat the password').fill(STAFF_PASSWORD)
    await page.getByLabel('Code from your authenticator app').fill(codeAt(server, secret, 3))
    await page.getByRole('button', { name: 'Finish set-up' }).click()
    await page.getByText('The code does not match', { exact: false }).waitFor()
    await page.getByLabel('Code from your authenticator app').fill(codeAt(server, secret))
    await page.getByRole('button', { name: 'Finish set-up' }).click()
    await page.getByText('Your account is ready.', { exact: false }).waitFor()
    assert.doesNotMatch(page.url(), /token=/, 'the spent token left the address bar')

    // Sign-in: a wrong code is refused with a sentence; the next step's code works.
    server.clock.advance(30_000)
    await page.getByRole('link', { name: 'Staff sign-in' }).click()
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(STAFF_PASSWORD)
    await page.getByLabel('Code from your authenticator app').fill(codeAt(server, secret, 4))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('The email, password or code is wrong.', { exact: false }).waitFor()
    await page.getByLabel('Code from your authenticator app').fill(codeAt(server, secret))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Manual reviews' }).waitFor()

    // MANUAL_REVIEW: photos, Guardian checks, EXIF facts; approve with a note.
    const { taskId } = await inManualReview(server, 'Photograph the flower shop')
    await page.reload()
    await page.getByRole('link', { name: 'Reviews 1 waiting' }).waitFor()
    await page.getByRole('link', { name: 'Photograph the flower shop' }).waitFor()
    await axe(page, 'reviews queue')
    await phoneAndShots(page, 'console-reviews')
    await page.getByRole('link', { name: 'Photograph the flower shop' }).click()
    await page.getByRole('img', { name: 'Proof photo 2' }).waitFor()
    await page.getByText('Guardian: MANUAL_REVIEW, confidence 55').waitFor()
    await page.getByRole('cell', { name: 'photo 2 is blurred' }).waitFor()
    await page.getByText('Within the work window').first().waitFor()
    await page.getByRole('img', { name: /^Photo 1 was taken 13 m from the task/ }).waitFor()
    await axe(page, 'review page')
    await phoneAndShots(page, 'console-review')
    await page.getByLabel('Note (kept in the audit log)').fill('both photos match the requirements')
    await page.getByRole('button', { name: 'Approve and pay' }).click()
    await page.getByText('Decided. The task is now: Completed.').waitFor()
    await page.getByRole('link', { name: 'Reviews 0 waiting' }).waitFor()

    // DISPUTED: the agent's reason; 150 % is refused with a sentence; 60/40 shows the money first.
    const agent = await newAgent(server, { tier: 'STANDARD', deposit: 100 })
    const op = await newOperator(server)
    const disputed = await createTask(server, agent, { title: 'Photograph the bus stop', reward_usd: 40 })
    await driveTo(server, agent, op, disputed, 'SUBMITTED')
    const reject = await agent.api.post(`/tasks/${disputed}/verify`, {
      decision: 'REJECT',
      reason: 'Only half of the timetable is readable.',
    })
    assert.equal(reject.status, 200, reject.text)
    await page.getByRole('link', { name: /^Disputes/ }).click()
    await page.getByRole('heading', { name: 'Disputes', exact: true }).waitFor()
    await page.getByRole('link', { name: 'Disputes 1 waiting' }).waitFor()
    await axe(page, 'disputes queue')
    await page.getByRole('link', { name: 'Photograph the bus stop' }).click()
    await page.getByText('Only half of the timetable is readable.').first().waitFor()
    await page.getByLabel('Split').check()
    const pct = page.getByLabel("Operator's share of the reward (%)")
    await pct.fill('150')
    await page.getByLabel('Note (required; kept on the task and in the audit log)').fill('half the work done')
    await page.getByRole('button', { name: 'Review the resolution' }).click()
    await page
      .getByText('A split gives the operator more than 0 and less than 100 percent.', { exact: false })
      .waitFor()
    await pct.fill('60')
    await page.getByTestId('shares').getByText('$24.00').waitFor()
    await page.getByTestId('shares').getByText('$16.00').waitFor()
    await axe(page, 'dispute page')
    await shot(page, 'console-dispute-desktop')
    await page.getByRole('button', { name: 'Review the resolution' }).click()
    await page.getByText('The operator gets $24.00; the agent gets $16.00 back.', { exact: false }).waitFor()
    await page.getByRole('button', { name: 'Confirm resolution' }).click()
    await page.getByText('Resolved. The task is now: Completed.').waitFor()
    // The balances, through the API: 60 % of the reward to the operator, 40 % back to the agent.
    assert.equal((await op.api.get('/operator/earnings')).body.pending_balance, 24)
    assert.equal((await agent.api.get('/agents/balance')).body.deposit_balance, 100 - 42 + 16)

    // KYC PENDING: the documents shown, approved.
    const kycOp = await pendingKyc(server)
    await page.getByRole('link', { name: /^KYC/ }).click()
    await page.getByRole('heading', { name: 'Identity checks' }).waitFor()
    await page.getByRole('link', { name: 'KYC 1 waiting' }).waitFor()
    await axe(page, 'kyc queue')
    await page.getByRole('link', { name: kycOp.name }).click()
    await page.getByRole('img', { name: 'Selfie' }).waitFor()
    await axe(page, 'kyc page')
    await page.getByRole('button', { name: 'Approve' }).click()
    await page.getByText('Decided: approved.').waitFor()
    assert.equal((await kycOp.api.get('/operator/me')).body.kyc_status, 'APPROVED')

    // The audit log: each action with this staff member as its actor.
    await page.getByRole('link', { name: 'Audit log' }).click()
    await page.getByRole('heading', { name: 'Audit log' }).waitFor()
    for (const [object, action] of [
      [taskId, 'task.review.approve'],
      [disputed, 'task.dispute.resolve'],
      [kycOp.id, 'kyc.approve'],
    ] as const) {
      const row = auditRows(page).filter({ hasText: object }).filter({ hasText: action })
      await row.first().waitFor()
      await row.first().getByText(email).waitFor()
    }
    await axe(page, 'audit log')
    await page.getByLabel('Object id').fill(disputed)
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.getByText('1 entries, newest first.').waitFor()
    await auditRows(page).first().getByText('"operator_usd":24').waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ])
    const csv = await streamText(await download.createReadStream())
    assert.match(csv, /^id,at,actor,actor_email,action/)
    assert.match(csv, new RegExp(`task\\.dispute\\.resolve,task,${disputed}`))

    await page.getByRole('link', { name: 'Health' }).click()
    await page.getByTestId('ledger').getByText('Balanced:', { exact: false }).waitFor()
    await axe(page, 'health')
    await page.getByRole('link', { name: 'Lookup' }).click()
    await page.getByLabel('Id, email or name').fill(agent.id)
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByRole('heading', { name: 'Agents' }).waitFor()
    await axe(page, 'search')
    await page.getByRole('link', { name: /^agent / }).click()
    await page.getByRole('heading', { name: 'Tier: STANDARD' }).waitFor()
    await axe(page, 'agent page')
    await page.getByLabel('New tier').selectOption('VERIFIED')
    await page.getByRole('button', { name: 'Change tier' }).click()
    await page.getByText('The tier is now VERIFIED.').waitFor()
    await page.goto(`/admin/operators/${op.id}`)
    await page.getByRole('heading', { name: 'Recent tasks' }).waitFor()
    await axe(page, 'operator page')
  })

  test('a stuck payout reconciled with its tx hash, audited with the actor', async () => {
    const { server } = web()
    const op = await fundedOperator(server, 20)
    const payoutId = (await op.api.post('/operator/payout', payoutBody(10))).body.payout_id as string
    // Sent 11 minutes ago, no answer recorded: what a crash between send and record leaves.
    await server.ctx.store.db
      .updateTable('payouts')
      .set({ send_attempted_at: new Date(server.clock.now().getTime() - 11 * 60_000).toISOString() })
      .where('id', '=', payoutId)
      .execute()
    const email = staffEmail('payadmin')
    const { secret } = await setUpStaffByApi(server, email, 'admin')
    server.clock.advance(30_000)
    const page = await (await web().context()).newPage()
    await staffSignInUi(page, server, email, secret)
    await page.getByRole('link', { name: 'Stuck payouts 1 waiting' }).click()
    await page.getByText(payoutId).waitFor()
    await axe(page, 'payouts')
    await shot(page, 'console-payouts-phone')
    const hash = txHash()
    await page.getByLabel('Transaction hash found on chain').fill('0x123')
    await page.getByRole('button', { name: 'Confirmed with this hash' }).click()
    await page.getByText('A transaction hash is 0x followed by 64 hexadecimal characters.').waitFor()
    await page.getByLabel('Transaction hash found on chain').fill(hash)
    await page.getByRole('button', { name: 'Confirmed with this hash' }).click()
    await page.getByText(`Payout ${payoutId} reconciled.`).waitFor()
    await page.getByText('No payout is stuck.').waitFor()
    const p = (await op.api.get('/operator/payouts')).body.data.find(
      (x: { payout_id: string }) => x.payout_id === payoutId,
    )
    assert.equal(p.status, 'CONFIRMED')
    assert.equal(p.tx_hash, hash)
    await page.goto(`/admin/audit?object_id=${payoutId}`)
    const row = auditRows(page).filter({ hasText: 'payout.reconcile.confirmed' })
    await row.getByText(email).waitFor()
  })
})

/** An operator registered in manual KYC mode who uploaded the three documents: KYC PENDING. */
async function pendingKyc(server: TestServer) {
  const config = server.ctx.config as { kycMode: 'auto' | 'manual' }
  config.kycMode = 'manual'
  try {
    const name = `Kim Pending ${n++}`
    const op = await newOperator(server, { name })
    const doc = await makePhoto({ seed: 3 })
    const form = new FormData()
    for (const f of ['id_document', 'selfie', 'proof_of_address']) {
      form.append(f, new Blob([new Uint8Array(doc)], { type: 'image/jpeg' }), `${f}.jpg`)
    }
    const r = await op.api.post('/operator/kyc', undefined, { form })
    assert.equal(r.status, 200, r.text)
    assert.equal(r.body.kyc_status, 'PENDING')
    return { ...op, name }
  } finally {
    config.kycMode = 'auto'
  }
}

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}
