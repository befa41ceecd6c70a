import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { adminCredit } from '../../src/agents/deposit.ts'
import { client } from '../helpers/api.ts'
import { newAgent, taskBody, txHash } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer, type TestServer, useServer } from '../helpers/harness.ts'
import { header, type LocalSmtp, plainText, startSmtp } from './smtp.ts'

const LINK = /(https?:\/\/\S+\/api\/v1\/agents\/verify-email\?token=[A-Za-z0-9_-]+)/

function linkIn(raw: string): string {
  const m = LINK.exec(plainText(raw))
  assert.ok(m, `a verification link in:\n${plainText(raw)}`)
  return m[1]!
}

async function follow(link: string, accept = 'application/json') {
  const res = await fetch(link, { headers: { accept } })
  const text = await res.text()
  return {
    status: res.status,
    text,
    type: res.headers.get('content-type') ?? '',
    json: () => JSON.parse(text),
  }
}

forEachDialect('email verification through a real SMTP server', (dialect) => {
  let smtp: LocalSmtp
  let s: TestServer
  before(async () => {
    smtp = await startSmtp()
    s = await startTestServer(dialect, { smtpUrl: smtp.url, mailFrom: 'humcli <verify@humcli.test>' })
  })
  after(async () => {
    await s?.close()
    await smtp?.close()
  })

  test('demonstration 4: register over HTTP, receive the email, follow the link, tiers change', async () => {
    const email = `Bot-${Date.now()}@Example.com`
    const reg = await client(s.url).post('/agents/register', { name: 'Mail bot', email })
    assert.equal(reg.status, 201, reg.text)
    assert.equal(reg.body.tier, 'SANDBOX')
    assert.equal(reg.body.verification_required, true)
    assert.match(reg.body.sandbox_info.how_to_upgrade, /link in the email sent to bot-\d+@example\.com/)
    const agent = client(s.url, { key: reg.body.api_key })

    assert.equal(smtp.received.length, 0, 'mail leaves through the job, after the commit')
    await s.runJobs()
    assert.equal(smtp.received.length, 1)
    const mail = smtp.received[0]!
    assert.deepEqual(mail.to, [email.toLowerCase()])
    assert.equal(mail.from, 'verify@humcli.test')
    assert.equal(mail.user, 'mailer', 'authenticated with the credentials in HUMCLI_SMTP_URL')
    assert.equal(header(mail.raw, 'Subject'), 'Verify your email for humcli')
    const link = linkIn(mail.raw)
    assert.ok(link.startsWith(`${s.url}/api/v1/agents/verify-email?token=`), link)
    const stored = await s.ctx.store.db.selectFrom('email_verifications').selectAll().execute()
    const token = new URL(link).searchParams.get('token')!
    assert.ok(!JSON.stringify(stored).includes(token), 'only a hash of the token is stored')
    const jobs = await s.ctx.store.db
      .selectFrom('jobs')
      .select('payload')
      .where('kind', '=', 'email.send')
      .execute()
    assert.ok(!JSON.stringify(jobs).includes(token), 'the queued message is encrypted at rest')

    // As SANDBOX: a $50 task breaks the $10 task value limit, and tasks are sandbox tasks.
    const refused = await agent.post('/tasks', taskBody(s, { reward_usd: 50 }))
    assert.equal(refused.status, 422)
    assert.match(refused.body.error, /SANDBOX agents may offer at most \$10 per task/)
    const sandboxTask = await agent.post('/tasks', taskBody(s, { reward_usd: 5 }))
    assert.equal(sandboxTask.body.sandbox, true)

    const verified = await follow(link)
    assert.equal(verified.status, 200, verified.text)
    assert.match(verified.type, /application\/json/)
    assert.equal(verified.json().tier, 'VERIFIED')
    assert.equal(verified.json().agent_id, reg.body.agent_id)
    const me = (await agent.get('/agents/me')).body
    assert.equal(me.tier, 'VERIFIED')
    assert.equal(me.email_verified, true)
    assert.deepEqual(me.limits, { maxDailyTasks: 10, maxTaskValue: 100, maxDailySpend: 200 })

    // Funded (an admin credit, not a deposit), the $50 task is now accepted — and real.
    await adminCredit(s.ctx, reg.body.agent_id, 60_000_000n, 'funds for the test')
    const real = await agent.post('/tasks', taskBody(s, { reward_usd: 50 }))
    assert.equal(real.status, 201, real.text)
    assert.equal(real.body.sandbox, false)
    assert.equal(real.body.sandbox_notice, undefined)
    assert.equal(real.body.escrow_usd, 52.5)
    const old = (await agent.get(`/tasks/${sandboxTask.body.task_id}`)).body
    assert.equal(old.sandbox, true, 'a task created while SANDBOX stays a sandbox task')

    // The link works once.
    const again = await follow(link)
    assert.equal(again.status, 400)
    assert.match(again.json().error, /already been used/)
    // Already verified: no new link.
    const resend = await agent.post('/agents/resend-verification')
    assert.equal(resend.status, 400)
    assert.equal(resend.body.error, 'Email already verified.')

    // Confirmed deposits totalling $50 on a verified agent: STANDARD.
    const dep = await agent.post('/agents/deposit/usdc', {
      tx_hash: txHash(),
      amount_usdc: 50,
      chain: 'base',
    })
    assert.equal(dep.status, 201, dep.text)
    const standard = (await agent.get('/agents/me')).body
    assert.equal(standard.tier, 'STANDARD')
    assert.equal(standard.limits.maxTaskValue, 10_000)
  })

  test('resend: a new link at most once a minute (429 with Retry-After); both links work until used', async () => {
    const agent = await newAgent(s)
    await s.runJobs()
    const first = smtp.received.at(-1)!
    const tooSoon = await agent.api.post('/agents/resend-verification')
    assert.equal(tooSoon.status, 429)
    assert.equal(tooSoon.body.code, 'RATE_LIMITED')
    assert.match(tooSoon.body.error, /try again in \d+ seconds/)
    assert.ok(Number(tooSoon.headers.get('retry-after')) > 0)
    s.clock.advance(61_000)
    const ok = await agent.api.post('/agents/resend-verification')
    assert.equal(ok.status, 200, ok.text)
    assert.match(ok.body.email, /@example\.com$/)
    assert.equal(new Date(ok.body.expires_at).getTime(), s.clock.now().getTime() + 24 * 3_600_000)
    await s.runJobs()
    const second = smtp.received.at(-1)!
    assert.notEqual(linkIn(second.raw), linkIn(first.raw), 'a new token')
    const r = await follow(linkIn(first.raw))
    assert.equal(r.status, 200, r.text)
    assert.equal(r.json().tier, 'VERIFIED')
  })

  test('a browser gets an HTML page; unknown, expired and used links are a clear 400', async () => {
    const agent = await newAgent(s)
    await s.runJobs()
    const link = linkIn(smtp.received.at(-1)!.raw)

    const unknown = await follow(`${s.url}/api/v1/agents/verify-email?token=not-a-real-token`)
    assert.equal(unknown.status, 400)
    assert.equal(unknown.json().code, 'VALIDATION_FAILED')
    assert.match(unknown.json().error, /not valid.*resend-verification/)
    const missing = await follow(`${s.url}/api/v1/agents/verify-email`)
    assert.equal(missing.status, 400)

    const htmlUnknown = await follow(`${s.url}/api/v1/agents/verify-email?token=nope`, 'text/html')
    assert.equal(htmlUnknown.status, 400)
    assert.match(htmlUnknown.type, /text\/html/)
    assert.match(htmlUnknown.text, /This link does not work/)

    s.clock.advance(24 * 3_600_000)
    const expired = await follow(link)
    assert.equal(expired.status, 400)
    assert.match(expired.json().error, /expired/)
    assert.equal((await agent.api.get('/agents/me')).body.tier, 'SANDBOX')

    const fresh = await agent.api.post('/agents/resend-verification')
    assert.equal(fresh.status, 200, fresh.text)
    await s.runJobs()
    const page = await follow(linkIn(smtp.received.at(-1)!.raw), 'text/html,application/xhtml+xml,*/*;q=0.8')
    assert.equal(page.status, 200)
    assert.match(page.type, /text\/html/)
    assert.match(page.text, /<h1>Email verified<\/h1>/)
    assert.equal((await agent.api.get('/agents/me')).body.tier, 'VERIFIED')
  })

  test('tiers: STANDARD stays STANDARD; a SANDBOX agent with $50 of deposits becomes STANDARD at once', async () => {
    const standard = await newAgent(s, { tier: 'STANDARD' })
    await s.runJobs()
    const r1 = await follow(linkIn(smtp.received.at(-1)!.raw))
    assert.equal(r1.json().tier, 'STANDARD')
    assert.equal((await standard.api.get('/agents/me')).body.email_verified, true)

    const rich = await newAgent(s, { deposit: 60 })
    assert.equal((await rich.api.get('/agents/me')).body.tier, 'SANDBOX', 'deposits alone do not upgrade')
    await s.runJobs()
    const r2 = await follow(linkIn(smtp.received.at(-1)!.raw))
    assert.equal(r2.json().tier, 'STANDARD')
  })

  test('an SMTP failure is retried with backoff by the job runner', async () => {
    smtp.refuseNext = 1
    const before = smtp.received.length
    await newAgent(s)
    await s.runJobs()
    assert.equal(smtp.received.length, before)
    const job = await s.ctx.store.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', 'email.send')
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow()
    assert.equal(job.attempts, 1n)
    assert.match(job.last_error ?? '', /451|Mailbox busy/)
    s.clock.advance(60_000)
    await s.runJobs()
    assert.equal(smtp.received.length, before + 1)
  })
})

forEachDialect('email in development without SMTP', (dialect) => {
  const server = useServer(dialect)

  test('the OpenAPI document describes both endpoints', async () => {
    const s = server()
    const doc = (await client(s.url).get('/openapi.json')).body
    const verify = doc.paths['/api/v1/agents/verify-email'].get
    assert.ok(
      verify.parameters.some((p: { name: string; in: string }) => p.name === 'token' && p.in === 'query'),
    )
    assert.ok(verify.responses['200'].content['application/json'].schema.properties.tier)
    assert.ok(verify.responses['200'].content['text/html'])
    assert.deepEqual(verify.security, [], 'no API key: it is a link (public: security is empty)')
    const resend = doc.paths['/api/v1/agents/resend-verification'].post
    assert.ok(resend.responses['200'].content['application/json'].schema.properties.expires_at)
    assert.ok(['400', '429', '503'].every((c) => resend.responses[c]))
  })

  test('messages are written to $HUMCLI_DATA_DIR/mail/<id>.eml, and the link there works', async () => {
    const s = server()
    const agent = await newAgent(s)
    await s.runJobs()
    const dir = path.join(s.ctx.config.dataDir, 'mail')
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml'))
    assert.equal(files.length, 1)
    const raw = fs.readFileSync(path.join(dir, files[0]!), 'utf8')
    assert.match(header(raw, 'Message-ID') ?? '', new RegExp(`<${files[0]!.replace('.eml', '')}@`))
    const r = await follow(linkIn(raw))
    assert.equal(r.status, 200, r.text)
    assert.equal((await agent.api.get('/agents/me')).body.tier, 'VERIFIED')
  })
})

forEachDialect('email in production without SMTP', (dialect) => {
  const server = useServer(dialect, { env: 'production', masterKey: 'ab'.repeat(32) })

  test('registration works and sends nothing; resend says clearly that mail is not configured (503)', async () => {
    const s = server()
    const reg = await client(s.url).post('/agents/register', { name: 'prod bot', email: 'prod@example.com' })
    assert.equal(reg.status, 201, reg.text)
    const jobs = await s.ctx.store.db
      .selectFrom('jobs')
      .select('kind')
      .where('kind', '=', 'email.send')
      .execute()
    assert.equal(jobs.length, 0)
    const resend = await client(s.url, { key: reg.body.api_key }).post('/agents/resend-verification')
    assert.equal(resend.status, 503)
    assert.equal(resend.body.code, 'UNAVAILABLE')
    assert.match(resend.body.error, /HUMCLI_SMTP_URL is not set/)
  })
})
