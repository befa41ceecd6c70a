/**
 * The staff console (`/admin`) through the UI only, against a real server: a staff user made by
 * the CLI's code path enrols TOTP and signs in, decides a manual review, splits a dispute 60/40,
 * approves a KYC, reconciles a stuck payout; the audit log shows each with its actor. Two
 * contexts decide one review at once. axe on every console page.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { BrowserContext, Page } from 'playwright-core'
import { applyReviewDecision } from '../../server/src/guardian/apply-decision.ts'
import { createStaffUser } from '../../server/src/staff/create-staff-user.ts'
import { client } from '../../server/test/helpers/api.ts'
import {
  createTask,
  driveTo,
  newAgent,
  newOperator,
  proofForm,
  txHash,
} from '../../server/test/helpers/fixtures.ts'
import type { TestServer } from '../../server/test/helpers/harness.ts'
import { genuinePhotos, makePhoto } from '../../server/test/helpers/images.ts'
import { codeAt } from '../../server/test/helpers/staff.ts'
import { fundedOperator, payoutBody } from '../../server/test/payouts/fixtures.ts'
import { DESKTOP, PHONE, useWeb } from './harness.ts'
import { axe, shot } from './steps.ts'

const PASSWORD = 'a long staff password'
let n = 0
const staffEmail = (who: string) => `${who}-${process.pid}-${n++}@example.com`

/** `humcli admin create-user`'s own function; returns the set-up path of the link it prints. */
async function createUser(server: TestServer, email: string, role: 'admin' | 'reviewer') {
  const u = await createStaffUser(server.ctx, { email, role, actor: 'cli' })
  const token = u.setup_link.split('#token=')[1]!
  return { ...u, path: `/admin/setup#token=${token}` }
}

/** A user set up through the API (for the second and third staff members); returns its secret. */
async function setUpByApi(server: TestServer, email: string, role: 'admin' | 'reviewer') {
  const u = await createUser(server, email, role)
  const token = u.path.split('#token=')[1]!
  const anon = client(server.url)
  const secret = (await anon.get(`/staff/setup?token=${token}`)).body.totp_secret as string
  const r = await anon.post('/staff/setup', { token, password: PASSWORD, totp_code: codeAt(server, secret) })
  assert.equal(r.status, 200, r.text)
  return { ...u, secret }
}

async function signInUi(page: Page, server: TestServer, email: string, secret: string) {
  await page.goto('/admin/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByLabel('Code from your authenticator app').fill(codeAt(server, secret))
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByTestId('staff-user').getByText(email).waitFor()
}

/** A task whose proof (two real photos with EXIF) the Guardian sent to a person. */
async function inManualReview(server: TestServer, title: string) {
  const agent = await newAgent(server, { tier: 'STANDARD', deposit: 100 })
  const op = await newOperator(server)
  const taskId = await createTask(server, agent, { title, reward_usd: 10 })
  await driveTo(server, agent, op, taskId, 'IN_PROGRESS')
  server.clock.advance(5 * 60_000)
  const photos = await genuinePhotos(server.clock.now(), 40 + n++)
  const r = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form: proofForm(photos) })
  assert.equal(r.status, 200, r.text)
  // The Guardian's verb, with checks a person must weigh (the real rules pass these photos).
  const decided = await applyReviewDecision(server.ctx, taskId, {
    decision: 'MANUAL_REVIEW',
    confidence: 55,
    reasoning: 'Manual review: the opening hours are hard to read.',
    checks: [
      { name: 'photo_count', score: 100, reason: '2 photos for 2 requirements' },
      { name: 'capture_time', score: 95, reason: 'taken during the work window' },
      { name: 'photo_quality', score: 40, reason: 'photo 2 is blurred' },
    ],
  })
  assert.ok(decided)
  return { agent, op, taskId }
}

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
    const u = await createUser(server, email, 'admin')
    await page.goto(u.path)
    await page.getByRole('heading', { name: 'Set up your staff account' }).waitFor()
    await page.getByRole('img', { name: 'QR code of your authenticator secret' }).waitFor()
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim()
    assert.match(secret, /^[A-Z2-7]{32}$/)
    await axe(page, 'set-up')
    await page.getByLabel('2. Choose a password').fill(PASSWORD)
    await page.getByLabel('Repeat the password').fill(PASSWORD)
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
    await page.getByLabel('Password').fill(PASSWORD)
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
    const { secret } = await setUpByApi(server, email, 'admin')
    server.clock.advance(30_000)
    const page = await (await web().context()).newPage()
    await signInUi(page, server, email, secret)
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

  test('two staff decide the same review at once: one wins, the other is told who and when', async () => {
    const { server } = web()
    const [a, b] = [staffEmail('ann'), staffEmail('bob')]
    const sa = await setUpByApi(server, a, 'reviewer')
    const sb = await setUpByApi(server, b, 'reviewer')
    server.clock.advance(30_000)
    const { taskId } = await inManualReview(server, 'Photograph the fountain')
    const pages: Page[] = []
    for (const [email, secret] of [
      [a, sa.secret],
      [b, sb.secret],
    ] as const) {
      const page = await (await web().context({ viewport: DESKTOP })).newPage()
      await signInUi(page, server, email, secret)
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
    const { secret } = await setUpByApi(server, email, 'reviewer')
    server.clock.advance(30_000)
    const ctx: BrowserContext = await web().context({ viewport: PHONE })
    const page = await ctx.newPage()
    await signInUi(page, server, email, secret)
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
    await signInUi(page, server, email, secret)
    server.clock.advance(30_000)
    const other = await (await web().context()).newPage()
    await signInUi(other, server, email, secret)
    await page.getByRole('button', { name: 'Sign out everywhere' }).click()
    await page.getByText('You are signed out.').waitFor()
    await other.getByRole('link', { name: 'Health' }).click()
    await other.getByText('Your console session has ended', { exact: false }).waitFor()
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
