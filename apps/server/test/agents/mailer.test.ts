import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import pino from 'pino'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { createMailer } from '../../src/mail/mailer.ts'

function capture() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)))
      cb()
    },
  })
  return { log: pino({ level: 'info' }, stream), lines }
}

test('development without SMTP: the message is an .eml file in the data folder and its link is logged', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-mail-'))
  try {
    const { log, lines } = capture()
    const mailer = createMailer(loadConfig({ HUMCLI_DATA_DIR: dir }), log)
    assert.equal(mailer.kind, 'folder')
    const link = 'http://127.0.0.1:8787/api/v1/agents/verify-email?token=abc_DEF-123'
    await mailer.send({ id: 'mail_test1', to: 'a@example.com', subject: 'Verify', text: `Open\n\n${link}\n` })
    const file = path.join(dir, 'mail', 'mail_test1.eml')
    const raw = fs.readFileSync(file, 'utf8')
    assert.match(raw, /^Subject: Verify$/m)
    assert.match(raw, /^To: a@example\.com$/m)
    const line = lines.find((l) => l.msg === 'mail written to the development mail folder')
    assert.ok(line, JSON.stringify(lines))
    assert.equal(line.level, 30, 'logged at info')
    assert.deepEqual(line.links, [link])
    assert.equal(line.mail, file)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('development: a .txt beside the .eml holds a long link whole, where the .eml cuts it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-mail-'))
  try {
    const { log, lines } = capture()
    const mailer = createMailer(loadConfig({ HUMCLI_DATA_DIR: dir }), log)
    const link = `http://127.0.0.1:8787/api/v1/agents/verify-email?token=${'Ab9_-'.repeat(12)}`
    await mailer.send({
      id: 'mail_long',
      to: 'a@example.com',
      subject: 'Verify',
      text: `Open:\n\n${link}\n\nBye.`,
    })
    const eml = fs.readFileSync(path.join(dir, 'mail', 'mail_long.eml'), 'utf8')
    assert.ok(!eml.includes(link), 'the .eml (quoted-printable) does not hold the link whole')
    const txt = fs.readFileSync(path.join(dir, 'mail', 'mail_long.txt'), 'utf8')
    assert.equal(txt, `To: a@example.com\nSubject: Verify\n\nOpen:\n\n${link}\n\nBye.`)
    const line = lines.find((l) => l.msg === 'mail written to the development mail folder')
    assert.deepEqual(line?.links, [link])
    assert.equal(line?.text, path.join(dir, 'mail', 'mail_long.txt'))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('production without SMTP: sending fails with a sentence that says what to set', async () => {
  const mailer = createMailer(
    loadConfig({ HUMCLI_ENV: 'production', HUMCLI_MASTER_KEY: 'cd'.repeat(32) }),
    pino({ level: 'silent' }),
  )
  assert.equal(mailer.kind, 'none')
  await assert.rejects(
    mailer.send({ id: 'mail_x', to: 'a@example.com', subject: 's', text: 't' }),
    /HUMCLI_SMTP_URL is not set/,
  )
})

test('SMTP settings: the banner never shows the password; a URL that is not smtp:// is refused', () => {
  const mailer = createMailer(
    loadConfig({ HUMCLI_SMTP_URL: 'smtp://user:secret@mail.example.com:587' }),
    pino({ level: 'silent' }),
  )
  assert.equal(mailer.kind, 'smtp')
  assert.equal(mailer.describe, 'smtp://mail.example.com:587')
  assert.throws(() => loadConfig({ HUMCLI_SMTP_URL: 'http://mail.example.com' }), ConfigError)
})
