import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { genuinePhotos, makeFlat, makePhoto } from '../../server/test/helpers/images.ts'
import { useWeb } from './harness.ts'
import {
  agentWithTask,
  axe,
  doKyc,
  findAndAccept,
  photoFiles,
  shot,
  signUp,
  submissions,
  untilStatus,
} from './steps.ts'

const SPOT = { latitude: 52.52, longitude: 13.405 }
const NOTES = 'Photo of the storefront and photo of the opening hours, from across the street.'

describe('operator journey at 390×844, through the UI only', () => {
  const web = useWeb({ kycMode: 'manual' })

  /** Signed up, KYC approved, a task accepted and approved by the agent, work started. */
  async function startedTask(title: string) {
    const { server } = web()
    const ctx = await web().context()
    await ctx.grantPermissions(['geolocation'])
    await ctx.setGeolocation({ ...SPOT, accuracy: 8 })
    const page = await ctx.newPage()
    const email = await signUp(page)
    await doKyc(page, server, email, await makePhoto({ seed: 7 }))
    const { agent, taskId } = await agentWithTask(server, { title })
    await findAndAccept(page, title)
    const approve = await agent.api.post(`/tasks/${taskId}/estimate/approve`)
    assert.equal(approve.status, 200, approve.text)
    // Shown without a reload: the page polls.
    await page.getByRole('button', { name: 'Start work' }).click({ timeout: 30_000 })
    await page.getByRole('heading', { name: 'Submit proof' }).waitFor()
    server.clock.advance(5 * 60_000)
    return { ctx, page, server, agent, taskId }
  }

  test('sign up → KYC → accept → approved → start → two real photos → COMPLETED → pending earnings', async () => {
    const { page, server, taskId } = await startedTask('Photograph the bakery front')
    const photos = await genuinePhotos(server.clock.now(), 11)
    await page.getByLabel('Take or add photos').setInputFiles(photoFiles(photos))
    await page.getByRole('img', { name: 'Photo 2' }).waitFor()
    await page.getByLabel('Notes').fill(NOTES)
    await axe(page, 'proof form')
    await shot(page, 'phone-proof')
    await page.getByRole('button', { name: 'Submit proof' }).click()
    await untilStatus(server, taskId, 'COMPLETED')
    await page.getByText('Status: Completed').waitFor({ timeout: 40_000 })
    await page.getByRole('heading', { name: 'Proof verified' }).waitFor()
    await axe(page, 'completed task')
    // The original files reached the server: their EXIF capture time and GPS are on the proof.
    const row = await server.ctx.store.db
      .selectFrom('tasks')
      .select('proof')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow()
    const proof = JSON.parse(row.proof!)
    assert.equal(proof.photos.length, 2)
    assert.ok(
      proof.photos.every((p: any) => p.exif?.gps && p.exif?.taken_at),
      row.proof!,
    )
    assert.equal(proof.client_evidence.length, 2)
    assert.equal(proof.client_evidence[0].lat, SPOT.latitude)
    assert.equal(proof.client_evidence[0].requirement, 'photo of the storefront')
    assert.equal(await submissions(server, taskId), 1)

    await page.getByRole('link', { name: 'Earnings' }).click()
    await page.getByTestId('pending').getByText('$15.00').waitFor()
    await axe(page, 'earnings')
    await shot(page, 'phone-earnings')
    await page.getByRole('link', { name: 'My tasks' }).click()
    await page.getByRole('link', { name: 'Photograph the bakery front' }).waitFor()
    await axe(page, 'my tasks')
    await page.getByRole('link', { name: 'Profile' }).click()
    await page.getByRole('heading', { name: 'Ratings' }).waitFor()
    await axe(page, 'profile')
  })

  test('offline at submission, and a response lost on the way back: sent once, COMPLETED', async () => {
    const { ctx, page, server, taskId } = await startedTask('Photograph the kiosk')
    const photos = await genuinePhotos(server.clock.now(), 21)
    await page.getByLabel('Take or add photos').setInputFiles(photoFiles(photos))
    await page.getByRole('img', { name: 'Photo 2' }).waitFor()
    await page.getByLabel('Notes').fill(NOTES)
    await ctx.setOffline(true)
    await page.getByRole('button', { name: 'Submit proof' }).click()
    await page.getByText('Saved on this phone; it will be sent when the connection returns.').waitFor()
    await page.getByText('No connection.', { exact: false }).waitFor()
    await shot(page, 'phone-offline-queue')
    // The next attempt reaches the server, but its answer is lost: the retry must not resubmit.
    let cut = 0
    await page.route('**/api/v1/operator/tasks/*/proof', async (route) => {
      if (cut++ === 0) {
        await route.fetch()
        return route.abort('connectionreset')
      }
      return route.continue()
    })
    await ctx.setOffline(false)
    await untilStatus(server, taskId, 'COMPLETED')
    await page.getByText('Status: Completed').waitFor({ timeout: 60_000 })
    assert.ok(cut >= 2, `the proof was retried (${cut} attempts)`)
    assert.equal(await submissions(server, taskId), 1)
  })

  test('RESUBMIT: a blank photo comes back with reasons; a good one completes', async () => {
    const { page, server, taskId } = await startedTask('Photograph the post box')
    const blank = await makeFlat({ seed: 1, takenAt: server.clock.now(), gps: { lat: 52.52, lng: 13.405 } })
    await page.getByLabel('Take or add photos').setInputFiles(photoFiles([blank]))
    await page.getByRole('img', { name: 'Photo 1' }).waitFor()
    // A phone on a slow network: the upload lands seconds after the tap.
    await page.route('**/api/v1/operator/tasks/*/proof', async (route) => {
      await new Promise((r) => setTimeout(r, 2_000))
      return route.continue()
    })
    await page.getByRole('button', { name: 'Submit proof' }).click()
    await untilStatus(server, taskId, 'IN_PROGRESS', { submissions: 1 })
    await page.getByRole('heading', { name: 'New proof needed' }).waitFor({ timeout: 40_000 })
    await page.getByText('Please send new proof. What to fix:').waitFor()
    await axe(page, 'resubmit')
    await shot(page, 'phone-resubmit')
    await page.getByRole('heading', { name: 'Submit proof' }).waitFor()
    const photos = await genuinePhotos(server.clock.now(), 31)
    await page.getByLabel('Take or add photos').setInputFiles(photoFiles(photos))
    await page.getByRole('img', { name: 'Photo 2' }).waitFor()
    await page.getByLabel('Notes').fill(NOTES)
    await page.getByRole('button', { name: 'Submit proof' }).click()
    await untilStatus(server, taskId, 'COMPLETED')
    await page.getByText('Status: Completed').waitFor({ timeout: 40_000 })
    assert.equal(await submissions(server, taskId), 2)
  })
})
