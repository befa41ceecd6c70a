/**
 * What the browser tests share: the operator journey's steps (through the UI only), the staff
 * console's users and fixtures, and the agent dashboard's check of a page.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { applyReviewDecision } from '../../server/src/guardian/apply-decision.ts'
import { createStaffUser } from '../../server/src/staff/create-staff-user.ts'
import { client } from '../../server/test/helpers/api.ts'
import {
  createTask,
  driveTo,
  newAdmin,
  newAgent,
  newOperator,
  proofForm,
} from '../../server/test/helpers/fixtures.ts'
import type { TestServer } from '../../server/test/helpers/harness.ts'
import { genuinePhotos } from '../../server/test/helpers/images.ts'
import { codeAt } from '../../server/test/helpers/staff.ts'
import { seriousViolations } from './harness.ts'

let n = 0
export const uniqueEmail = () => `op-${process.pid}-${Date.now()}-${n++}@example.com`
export const PASSWORD = 'correct horse battery'

/** Asserts no serious or critical axe violation on the page as it is now. */
export async function axe(page: Page, where: string): Promise<void> {
  assert.deepEqual(await seriousViolations(page), [], `axe on ${where}`)
}

/** Writes a screenshot into docs/screenshots when HUMCLI_SCREENSHOTS=1 (a docs run, not CI). */
export async function shot(page: Page, name: string): Promise<void> {
  if (process.env.HUMCLI_SCREENSHOTS !== '1') return
  const dir = path.resolve('docs/screenshots')
  fs.mkdirSync(dir, { recursive: true })
  // A palette PNG: a screen of flat colours loses nothing visible and weighs a third.
  const png = await page.screenshot({ fullPage: true })
  await sharp(png)
    .png({ palette: true, compressionLevel: 9 })
    .toFile(path.join(dir, `${name}.png`))
}

export async function signUp(page: Page, email = uniqueEmail()): Promise<string> {
  await page.goto('/signup')
  await page.getByLabel('Full name').fill('Ana Operator')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByLabel('City').fill('Berlin')
  await page.getByLabel('Country (2 letters, e.g. ES)').fill('DE')
  await page.getByRole('checkbox', { name: 'Photo' }).check()
  await axe(page, 'sign up')
  await shot(page, 'phone-signup')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.getByRole('heading', { name: 'Identity check' }).waitFor()
  return email
}

/** KYC through the UI, then staff approve it through the API. */
export async function doKyc(page: Page, server: TestServer, email: string, doc: Buffer): Promise<void> {
  for (const label of ['ID document (passport or ID card)', 'Selfie', 'Proof of address']) {
    await page.getByLabel(label).setInputFiles({ name: 'doc.jpg', mimeType: 'image/jpeg', buffer: doc })
  }
  await axe(page, 'kyc')
  await page.getByRole('button', { name: 'Send documents' }).click()
  await page.getByText('Documents sent. Status: pending review.').waitFor()
  const op = await server.ctx.store.db
    .selectFrom('operators')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow()
  const admin = await newAdmin(server)
  const r = await admin.api.post(`/admin/operators/${op.id}/kyc`, { decision: 'APPROVE' })
  assert.equal(r.status, 200, r.text)
}

export async function agentWithTask(server: TestServer, over: Record<string, unknown> = {}) {
  const agent = await newAgent(server, { tier: 'STANDARD', deposit: 200 })
  const taskId = await createTask(server, agent, over)
  return { agent, taskId }
}

/** From the task list (by position), open the task, accept with an estimate. */
export async function findAndAccept(page: Page, title: string): Promise<void> {
  await page.getByRole('link', { name: 'Find work' }).click()
  await page.getByRole('button', { name: 'Use my location' }).click()
  await page.getByRole('link', { name: title }).first().waitFor()
  await axe(page, 'task list')
  await shot(page, 'phone-tasks')
  await page.getByRole('link', { name: title }).first().click()
  await page.getByRole('heading', { name: 'Proof needed' }).waitFor()
  await axe(page, 'task page')
  await shot(page, 'phone-task')
  await page.getByLabel('Hours').fill('1')
  await page.getByLabel('Minutes').fill('30')
  await page.getByRole('button', { name: 'Send estimate' }).click()
  await page.getByText('Waiting for the agent to approve your estimate.').waitFor()
}

/** Runs the server's due jobs until the task reaches `status` (the Guardian reviews in a job). */
/**
 * Runs the server's jobs until the task has `status` — after at least `opts.submissions` proof
 * submissions, when given: a task is IN_PROGRESS before its proof arrives as well as after a
 * RESUBMIT, so waiting for IN_PROGRESS alone can return before the upload has even landed.
 */
export async function untilStatus(
  server: TestServer,
  taskId: string,
  status: string,
  opts: { ms?: number; submissions?: number } = {},
) {
  const deadline = Date.now() + (opts.ms ?? 60_000)
  for (;;) {
    await server.runJobs()
    const t = await server.ctx.store.db
      .selectFrom('tasks')
      .select(['status', 'guardian_result'])
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow()
    const enough = (await submissions(server, taskId)) >= (opts.submissions ?? 0)
    if (t.status === status && enough) return
    if (Date.now() > deadline || (status === 'COMPLETED' && t.status === 'MANUAL_REVIEW')) {
      assert.fail(`task ${taskId} is ${t.status}, waited for ${status}; review: ${t.guardian_result}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

export async function submissions(server: TestServer, taskId: string): Promise<number> {
  const rows = await server.ctx.store.db
    .selectFrom('task_transitions')
    .select('id')
    .where('task_id', '=', taskId)
    .where('to_status', '=', 'SUBMITTED')
    .execute()
  return rows.length
}

export const photoFiles = (photos: Buffer[]) =>
  photos.map((buffer, i) => ({ name: `photo-${i + 1}.jpg`, mimeType: 'image/jpeg', buffer }))

// The staff console (console*.test.ts).

export const STAFF_PASSWORD = 'a long staff password'
export const staffEmail = (who: string) => `${who}-${process.pid}-${n++}@example.com`

/** `humcli admin create-user`'s own function; returns the set-up path of the link it prints. */
export async function createStaffUserLink(server: TestServer, email: string, role: 'admin' | 'reviewer') {
  const u = await createStaffUser(server.ctx, { email, role, actor: 'cli' })
  const token = u.setup_link.split('#token=')[1]!
  return { ...u, path: `/admin/setup#token=${token}` }
}

/** A user set up through the API (for the second and third staff members); returns its secret. */
export async function setUpStaffByApi(server: TestServer, email: string, role: 'admin' | 'reviewer') {
  const u = await createStaffUserLink(server, email, role)
  const token = u.path.split('#token=')[1]!
  const anon = client(server.url)
  const secret = (await anon.get(`/staff/setup?token=${token}`)).body.totp_secret as string
  const r = await anon.post('/staff/setup', {
    token,
    password: STAFF_PASSWORD,
    totp_code: codeAt(server, secret),
  })
  assert.equal(r.status, 200, r.text)
  return { ...u, secret }
}

/** The console's sign-in form, filled with the password and a current code. */
export async function staffSignInUi(page: Page, server: TestServer, email: string, secret: string) {
  await page.goto('/admin/login')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(STAFF_PASSWORD)
  await page.getByLabel('Code from your authenticator app').fill(codeAt(server, secret))
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByTestId('staff-user').getByText(email).waitFor()
}

/** A task whose proof (two real photos with EXIF) the Guardian sent to a person. */
export async function inManualReview(server: TestServer, title: string) {
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

// The agent dashboard (dashboard*.test.ts).

/** The dashboard tests' server: the sandbox simulator's steps 2 s apart, a deposit address to show. */
export const DASHBOARD_CONFIG = {
  sandboxStepMs: 2_000,
  depositAddress: '0x52908400098527886E0F7030069857D2E4169EE7',
}

/** No element wider than the viewport: the page does not scroll sideways. */
async function assertNoSideScroll(page: Page, where: string): Promise<void> {
  const { scroll, width, wide } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
    // Elements, and text running out of its element (a long word that does not wrap).
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => {
        if (e.getBoundingClientRect().right > window.innerWidth) return true
        const range = document.createRange()
        range.selectNodeContents(e)
        return range.getBoundingClientRect().right > window.innerWidth
      })
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent ?? '').slice(0, 40)}`)
      .slice(-3),
  }))
  assert.ok(scroll <= width, `${where}: ${scroll}px wide in a ${width}px window (${wide.join(', ')})`)
}

/** axe finds no serious or critical violation, and the page does not scroll sideways. */
export async function checkDashboardPage(page: Page, where: string): Promise<void> {
  await axe(page, where)
  await assertNoSideScroll(page, where)
}

export { client }
