/**
 * Bad input and failure as an operator meets them (issue 12), through the UI only at 390×844:
 * each test sees a clear message on the page, in the operator's language, and nothing is lost.
 * The set-up (an operator, a task at some step) goes through the real API; what is tested, the UI.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import sharp from 'sharp'
import { revokeSubjectSessions } from '../../server/src/sessions/revoke-session.ts'
import { driveTo, newOperator, type OperatorFixture } from '../../server/test/helpers/fixtures.ts'
import { genuinePhotos } from '../../server/test/helpers/images.ts'
import { useWeb } from './harness.ts'
import { agentWithTask, axe, PASSWORD, photoFiles, shot, submissions } from './steps.ts'

const NOTES = 'Photo of the storefront and photo of the opening hours, from across the street.'

/** Waits until the server holds `n` proof submissions of the task (the Guardian's verdict aside). */
async function untilSubmitted(
  server: ReturnType<ReturnType<typeof useWeb>>['server'],
  taskId: string,
  n = 1,
) {
  const deadline = Date.now() + 40_000
  while ((await submissions(server, taskId)) < n) {
    assert.ok(Date.now() < deadline, `no proof of ${taskId} reached the server`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe('errors as operators meet them, at 390×844, through the UI', () => {
  const web = useWeb()

  async function signedIn(op: OperatorFixture, next = '/tasks', locale?: string) {
    const ctx = await web().context(locale ? { locale } : {})
    const page = await ctx.newPage()
    await page.goto(`/login?next=${encodeURIComponent(next)}`)
    await page.getByLabel(locale === 'es-ES' ? 'Correo electrónico' : 'Email').fill(op.email)
    await page.getByLabel(locale === 'es-ES' ? 'Contraseña' : 'Password').fill(op.password)
    await page.getByRole('button', { name: locale === 'es-ES' ? 'Entrar' : 'Sign in' }).click()
    return { ctx, page }
  }

  /** An operator (KYC approved on sign-up here) whose task is IN_PROGRESS, on its page. */
  async function onStartedTask(title: string) {
    const { server } = web()
    const op = await newOperator(server)
    const { agent, taskId } = await agentWithTask(server, { title })
    await driveTo(server, agent, op, taskId, 'IN_PROGRESS')
    const { ctx, page } = await signedIn(op, `/tasks/${taskId}`)
    await page.getByRole('heading', { name: 'Submit proof' }).waitFor()
    return { ctx, page, server, op, taskId }
  }

  test('wrong password: said plainly, in English and in Spanish', async () => {
    const op = await newOperator(web().server)
    const { page } = await signedIn({ ...op, password: 'not the password' })
    await page.getByText('The email or password is wrong. Check both and try again.').waitFor()
    await axe(page, 'login error')
    const es = await signedIn({ ...op, password: 'tampoco es esta' }, '/tasks', 'es-ES')
    await es.page.getByText('El correo o la contraseña no son correctos.', { exact: false }).waitFor()
  })

  test('duplicate email at sign-up: told to sign in instead, the form kept', async () => {
    const op = await newOperator(web().server)
    const page = await (await web().context()).newPage()
    await page.goto('/signup')
    await page.getByLabel('Full name').fill('Ana Again')
    await page.getByLabel('Email').fill(op.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByText('An account with this email already exists. Sign in instead.').waitFor()
    assert.equal(await page.getByLabel('Full name').inputValue(), 'Ana Again', 'what was typed is kept')
    assert.match(page.url(), /\/signup$/)
    await axe(page, 'sign-up error')
  })

  test('a non-image file and a too-big photo are refused before upload, each named', async () => {
    const { page } = await onStartedTask('Photograph the bakery door')
    // A real 20 MB-plus JPEG (noise does not compress), over the server's 15 MB default limit.
    const big = await sharp({
      create: {
        width: 4500,
        height: 3500,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 90 },
      },
    })
      .jpeg({ quality: 100 })
      .toBuffer()
    assert.ok(big.length > 15 * 1024 * 1024, `the big photo is ${big.length} bytes`)
    await page.getByLabel('Take or add photos').setInputFiles([
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') },
      { name: 'huge.jpg', mimeType: 'image/jpeg', buffer: big },
    ])
    await page.getByText('"notes.txt" is not a photo. Choose a JPEG, PNG, WebP or HEIC image.').waitFor()
    await page
      .getByText(/"huge\.jpg" is too large \(\d+(\.\d)? MB\)\. The limit is 15 MB per photo\./)
      .waitFor()
    assert.equal(await page.getByRole('img', { name: 'Photo 1' }).count(), 0, 'neither file was kept')
    await axe(page, 'proof form with refused files')
  })

  test("a photo the server refuses: the server's sentence beside that photo; sent again without it", async () => {
    const { page, server, taskId } = await onStartedTask('Photograph the flower stall')
    const [good] = await genuinePhotos(server.clock.now(), 41)
    await page.getByLabel('Take or add photos').setInputFiles([
      // Called a JPEG by its name and type; its bytes are a PDF. Only the server can tell.
      {
        name: 'receipt.jpg',
        mimeType: 'image/jpeg',
        buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n'),
      },
      ...photoFiles([good!]),
    ])
    await page.getByRole('img', { name: 'Photo 2' }).waitFor()
    // No location permission in this context: said once, and the photos are kept all the same.
    await page.getByText('Location access was refused.', { exact: false }).waitFor()
    await page.getByLabel('Notes').fill(NOTES)
    await page.getByRole('button', { name: 'Submit proof' }).click()
    const first = page.locator('.thumbs li').filter({ has: page.getByRole('img', { name: 'Photo 1' }) })
    await first
      .getByText(
        'The server refused this photo: Photo "receipt.jpg" is not a JPEG, PNG, WebP or AVIF/HEIC image',
        {
          exact: false,
        },
      )
      .waitFor({ timeout: 30_000 })
    const second = page.locator('.thumbs li').filter({ has: page.getByRole('img', { name: 'Photo 2' }) })
    assert.equal(await second.locator('.error').count(), 0, 'the good photo carries no error')
    assert.equal(await submissions(server, taskId), 0)
    await axe(page, 'refused photo')
    await shot(page, 'phone-photo-refused')
    await page.getByRole('button', { name: 'Send again without Photo 1' }).click()
    await untilSubmitted(server, taskId)
    const row = await server.ctx.store.db
      .selectFrom('tasks')
      .select('proof')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow()
    assert.equal(JSON.parse(row.proof!).photos.length, 1, 'the good photo alone was sent')
  })

  test('a task someone else accepted meanwhile: 409 said as "someone else accepted it"', async () => {
    const { server } = web()
    const me = await newOperator(server)
    const other = await newOperator(server)
    const { taskId } = await agentWithTask(server, { title: 'Check the bus stop timetable' })
    const { page } = await signedIn(me, `/tasks/${taskId}`)
    await page.getByRole('button', { name: 'Send estimate' }).waitFor()
    const r = await other.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 1 })
    assert.equal(r.status, 200, r.text)
    await page.getByLabel('Hours').fill('2')
    await page.getByRole('button', { name: 'Send estimate' }).click()
    await page.getByText('Someone else accepted this task first. Pick another one.').waitFor()
    await axe(page, 'task taken')
  })

  test('the session ends under the operator: sent to sign in with a message, the queued proof delivered after', async () => {
    const { page, server, op, taskId } = await onStartedTask('Photograph the newsstand')
    // Revoked by the server, and the access token's hour is over.
    await revokeSubjectSessions(server.ctx, 'operator', op.id)
    server.clock.advance(61 * 60_000)
    const photos = await genuinePhotos(server.clock.now(), 51)
    await page.getByLabel('Take or add photos').setInputFiles(photoFiles(photos))
    await page.getByRole('img', { name: 'Photo 2' }).waitFor()
    await page.getByLabel('Notes').fill(NOTES)
    await page.getByRole('button', { name: 'Submit proof' }).click()
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.getByText('Your session has ended. Sign in again; nothing you queued is lost.').waitFor()
    assert.match(page.url(), new RegExp(`/login\\?next=%2Ftasks%2F${taskId}$`))
    await axe(page, 'session ended')
    assert.equal(await submissions(server, taskId), 0)
    await page.getByLabel('Email').fill(op.email)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    // Back on the task; the proof that waited goes as soon as there is a session.
    await page.getByRole('heading', { name: 'Photograph the newsstand' }).waitFor()
    await untilSubmitted(server, taskId)
    assert.equal(await submissions(server, taskId), 1)
  })

  test("a reload that loses the session refresh's answer keeps the operator signed in", async () => {
    const op = await newOperator(web().server)
    const { ctx, page } = await signedIn(op)
    await page.getByRole('heading', { name: 'Tasks near you' }).waitFor()
    // The server rotates the cookie, but its answer never reaches the browser (the connection
    // drops): the browser keeps the rotated-out cookie and shows it on the next try.
    const before = await ctx.cookies()
    const sent: string[] = []
    await page.route('**/api/v1/operator/session/refresh', async (route) => {
      const headers = await route.request().allHeaders()
      sent.push(headers.cookie ?? '')
      if (sent.length > 1) return route.continue()
      const r = await route.fetch({ headers })
      assert.equal(r.status(), 200, await r.text())
      // route.fetch stored the new cookie in the context: put the old one back, as if never received.
      await ctx.clearCookies()
      await ctx.addCookies(before)
      return route.abort('connectionreset')
    })
    await page.reload()
    await page.getByText('The server cannot be reached right now.', { exact: false }).waitFor()
    await page.getByRole('heading', { name: 'Tasks near you' }).waitFor({ timeout: 20_000 })
    assert.equal(sent.length, 2, 'the refresh was tried again')
    assert.equal(sent[1], sent[0], 'with the rotated-out cookie')
    assert.doesNotMatch(page.url(), /\/login/)
  })

  test('the server unreachable: a banner, the proof kept across a reload, sent once when it is back', async () => {
    const { page, server, taskId } = await onStartedTask('Photograph the market hall')
    const photos = await genuinePhotos(server.clock.now(), 61)
    await page.getByLabel('Take or add photos').setInputFiles(photoFiles(photos))
    await page.getByRole('img', { name: 'Photo 2' }).waitFor()
    await page.getByLabel('Notes').fill(NOTES)
    // The phone has a connection (navigator.onLine), but the server does not answer.
    await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'))
    await page.getByRole('button', { name: 'Submit proof' }).click()
    await page.getByText('The server cannot be reached right now.', { exact: false }).waitFor()
    await page.getByText('Saved on this phone; it will be sent when the connection returns.').waitFor()
    await axe(page, 'server unreachable')
    await shot(page, 'phone-unreachable')
    await page.reload()
    await page.getByText('The server cannot be reached right now.', { exact: false }).waitFor()
    assert.equal(await submissions(server, taskId), 0)
    await page.unroute('**/api/v1/**')
    await page.getByRole('heading', { name: 'Photograph the market hall' }).waitFor({ timeout: 20_000 })
    await untilSubmitted(server, taskId)
    await page.waitForTimeout(1000)
    assert.equal(await submissions(server, taskId), 1)
    assert.equal(await page.getByText('The server cannot be reached right now.', { exact: false }).count(), 0)
  })

  test('geolocation refused: a message, and choosing a city still finds the work', async () => {
    const { server } = web()
    const op = await newOperator(server)
    await agentWithTask(server, { title: 'Photograph the Brandenburg gate' })
    const { ctx, page } = await signedIn(op, '/tasks')
    await ctx.clearPermissions()
    await page.getByRole('button', { name: 'Use my location' }).click()
    await page
      .getByText('Location access was refused. Choose a place on the list instead', { exact: false })
      .waitFor()
    await page.getByLabel('Or choose a place').selectOption({ label: 'Berlin' })
    const card = page.locator('.card').filter({ hasText: 'Photograph the Brandenburg gate' })
    await card.getByText(/\d+ m away/).waitFor()
    await axe(page, 'geolocation refused')
  })
})
