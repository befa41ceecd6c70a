/**
 * Every main screen at 360 px (the narrowest phone issue 12 names), 390 px and desktop width:
 * nothing wider than the screen (no sideways scrolling), every screen's heading shown. With
 * HUMCLI_SCREENSHOTS=1 the phone (390) and desktop runs write docs/screenshots/*.png, the
 * pictures in the README's "For operators". The states are set up through the real API and the
 * real Guardian; the screens are read through the UI.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Page } from 'playwright-core'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAdmin,
  newOperator,
  type OperatorFixture,
} from '../../server/test/helpers/fixtures.ts'
import type { TestServer } from '../../server/test/helpers/harness.ts'
import { genuinePhotos, makeFlat } from '../../server/test/helpers/images.ts'
import { DESKTOP, PHONE, useWeb } from './harness.ts'
import { agentWithTask, photoFiles, shot } from './steps.ts'

const NOTES = 'Photo of the storefront and photo of the opening hours, from across the street.'
const NARROW = { width: 360, height: 780 }

interface World {
  op: OperatorFixture
  newcomer: OperatorFixture
  tasks: Record<'open' | 'pending' | 'started' | 'completed' | 'resubmit', string>
}

async function submitPhotos(op: OperatorFixture, taskId: string, photos: Buffer[]) {
  const form = new FormData()
  form.append('notes', NOTES)
  photos.forEach((p, i) => {
    form.append('photos', new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), `photo-${i + 1}.jpg`)
  })
  const r = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form })
  assert.equal(r.status, 200, r.text)
}

/** One operator with a task at each step, a few open tasks around, and a newcomer before KYC. */
async function buildWorld(s: TestServer): Promise<World> {
  const op = await newOperator(s, { location: { city: 'Berlin', country: 'DE' } })
  const newcomer = await newOperator(s)
  const admin = await newAdmin(s)
  const ok = await admin.api.post(`/admin/operators/${op.id}/kyc`, { decision: 'APPROVE' })
  assert.equal(ok.status, 200, ok.text)
  const { agent, taskId: open } = await agentWithTask(s, { title: 'Photograph the bakery front' })
  const more: [string, Record<string, unknown>][] = [
    ['Check the opening hours of the pharmacy', { task_type: 'VERIFICATION', reward_usd: 8 }],
    ['Inspect the bike rack on Alexanderplatz', { task_type: 'INSPECTION', reward_usd: 22.5 }],
    ['Deliver a letter to the post office', { task_type: 'DELIVERY', reward_usd: 12 }],
  ]
  for (const [title, over] of more) {
    await createTask(s, agent, {
      title,
      location: { lat: 52.521, lng: 13.41, address: 'Alexanderplatz 1' },
      ...over,
    })
  }
  const at = async (title: string, step: 'ESTIMATE_PENDING' | 'IN_PROGRESS', a: AgentFixture = agent) => {
    const id = await createTask(s, a, { title })
    await driveTo(s, a, op, id, step)
    return id
  }
  const pending = await at('Photograph the kiosk menu', 'ESTIMATE_PENDING')
  const started = await at('Photograph the post box', 'IN_PROGRESS')
  const completed = await at('Photograph the flower stall', 'IN_PROGRESS')
  const resubmit = await at('Photograph the newsstand', 'IN_PROGRESS')
  s.clock.advance(5 * 60_000)
  await submitPhotos(op, completed, await genuinePhotos(s.clock.now(), 71))
  const blank = await makeFlat({ seed: 3, takenAt: s.clock.now(), gps: { lat: 52.52, lng: 13.405 } })
  await submitPhotos(op, resubmit, [blank])
  await s.runJobs()
  return { op, newcomer, tasks: { open, pending, started, completed, resubmit } }
}

async function signIn(page: Page, op: OperatorFixture) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(op.email)
  await page.getByLabel('Password').fill(op.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Tasks near you' }).waitFor()
}

/** Nothing sticks out sideways at this width: the page never scrolls horizontally. */
async function fits(page: Page, where: string) {
  const { scroll, width, wide } = await page.evaluate(() => {
    const w = document.documentElement.clientWidth
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > w + 1)
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
    return { scroll: document.documentElement.scrollWidth, width: w, wide }
  })
  assert.ok(scroll <= width, `${where}: ${scroll} px wide at ${width} px (${wide.join(', ')})`)
}

describe('the main screens at 360, 390 and 1280 px', () => {
  const web = useWeb({ kycMode: 'manual' })
  let world: Promise<World> | undefined

  for (const [prefix, viewport] of [
    ['narrow', NARROW],
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    test(`${prefix} (${viewport.width} px): every screen fits and shows its heading`, async () => {
      const { server } = web()
      world ??= buildWorld(server)
      const { op, newcomer, tasks } = await world
      const ctx = await web().context({ viewport })
      await ctx.grantPermissions(['geolocation'])
      await ctx.setGeolocation({ latitude: 52.52, longitude: 13.405, accuracy: 8 })
      const page = await ctx.newPage()
      // Only the phone and desktop pictures go in the README.
      const snap = (name: string) =>
        prefix === 'narrow' ? Promise.resolve() : shot(page, `${prefix}-${name}`)
      const screen = async (name: string, url: string, heading: string, ready?: string) => {
        await page.goto(url)
        await page.getByRole('heading', { name: heading }).first().waitFor()
        if (ready) await page.getByText(ready).first().waitFor()
        await fits(page, `${name} at ${viewport.width} px`)
        await snap(name)
      }
      await signIn(page, op)
      await page.getByRole('button', { name: 'Use my location' }).waitFor()
      await page.goto('/tasks?near=52.52000,13.40500')
      await page.getByRole('link', { name: 'Deliver a letter to the post office' }).waitFor()
      await fits(page, `task list at ${viewport.width} px`)
      await snap('tasks')
      await screen('task', `/tasks/${tasks.open}`, 'Proof needed')
      await screen(
        'accept',
        `/tasks/${tasks.pending}`,
        'Photograph the kiosk menu',
        'Waiting for the agent to approve your estimate.',
      )
      await page.goto(`/tasks/${tasks.started}`)
      await page.getByRole('heading', { name: 'Submit proof' }).waitFor()
      await page
        .getByLabel('Take or add photos')
        .setInputFiles(photoFiles(await genuinePhotos(server.clock.now(), 81)))
      await page.getByRole('img', { name: 'Photo 2' }).waitFor()
      assert.equal(await page.getByText('Location access was refused.', { exact: false }).count(), 0)
      await page.getByLabel('Notes').fill(NOTES)
      await fits(page, `proof form with photos at ${viewport.width} px`)
      await snap('proof')
      await screen('completed', `/tasks/${tasks.completed}`, 'Proof verified')
      await screen('resubmit', `/tasks/${tasks.resubmit}`, 'New proof needed')
      await screen('mine', '/mine', 'My tasks')
      await screen('earnings', '/earnings', 'Earnings', '$15.00')
      await screen('profile', '/profile', 'Ratings')
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByRole('heading', { name: 'Sign in' }).waitFor()
      await fits(page, `sign in at ${viewport.width} px`)
      await screen('signup', '/signup', 'Create your account')
      await signIn(page, newcomer)
      await screen('kyc', '/kyc', 'Identity check')
    })
  }
})
