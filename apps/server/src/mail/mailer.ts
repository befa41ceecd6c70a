import fs from 'node:fs/promises'
import path from 'node:path'
import type { Transporter } from 'nodemailer'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'

export interface MailMessage {
  /** Our id for the message: its Message-ID and, in the development folder, its file name. */
  id: string
  to: string
  subject: string
  text: string
  html?: string
}

/** How mail leaves: SMTP, the development folder, or not at all (production without SMTP). */
export interface Mailer {
  readonly kind: 'smtp' | 'folder' | 'none'
  /** Where mail goes, for the start-up banner; never includes credentials. */
  readonly describe: string
  send(msg: MailMessage): Promise<void>
}

/**
 * nodemailer is loaded and the transport built on the first message: every `humcli` command
 * creates a context, few ever send mail.
 */
function lazyTransport(options: string | Record<string, unknown>): () => Promise<Transporter> {
  let transport: Promise<Transporter> | null = null
  return () => {
    transport ??= import('nodemailer').then((m) => m.default.createTransport(options as never))
    return transport
  }
}

const messageId = (msg: MailMessage, from: string) =>
  `<${msg.id}@${/@([^>\s]+)/.exec(from)?.[1] ?? 'humcli.localhost'}>`

function smtpMailer(config: Config, url: string): Mailer {
  const transport = lazyTransport(url)
  const u = new URL(url)
  return {
    kind: 'smtp',
    describe: `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`,
    async send(msg) {
      await (await transport()).sendMail(mailOptions(msg, config))
    },
  }
}

/** The one message both transports send. */
function mailOptions(msg: MailMessage, config: Config) {
  return {
    from: config.mailFrom,
    to: msg.to,
    subject: msg.subject,
    text: msg.text,
    html: msg.html,
    messageId: messageId(msg, config.mailFrom),
  }
}

/**
 * Development without SMTP: each message is an .eml file in `$HUMCLI_DATA_DIR/mail`, with a .txt
 * beside it, and its links are logged. The .eml is what SMTP would carry — quoted-printable, so a
 * long link is cut by soft line breaks (`=`) and its `=` written `=3D` — while the .txt holds the
 * text as written, so a link copies as is.
 */
function folderMailer(config: Config, log: Logger): Mailer {
  const dir = path.join(config.dataDir, 'mail')
  const transport = lazyTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    kind: 'folder',
    describe: `${dir} (development: no HUMCLI_SMTP_URL)`,
    async send(msg) {
      const info = await (await transport()).sendMail(mailOptions(msg, config))
      await fs.mkdir(dir, { recursive: true })
      const file = path.join(dir, `${msg.id}.eml`)
      const textFile = path.join(dir, `${msg.id}.txt`)
      await fs.writeFile(file, info.message as Buffer)
      await fs.writeFile(textFile, `To: ${msg.to}\nSubject: ${msg.subject}\n\n${msg.text}`)
      const links = msg.text.match(/https?:\/\/[^\s<>"')]+/g) ?? []
      log.info(
        { mail: file, text: textFile, to: msg.to, subject: msg.subject, links },
        'mail written to the development mail folder',
      )
    },
  }
}

const noMailer: Mailer = {
  kind: 'none',
  describe: 'not configured (set HUMCLI_SMTP_URL)',
  async send() {
    throw new Error(
      'HUMCLI_SMTP_URL is not set, so this server cannot send email; set it (for example ' +
        'smtp://user:pass@mail.example.com:587) and restart: queued messages are sent on their next retry.',
    )
  },
}

/** SMTP when `HUMCLI_SMTP_URL` is set; otherwise the mail folder in development and no mail in production. */
export function createMailer(config: Config, log: Logger): Mailer {
  if (config.smtpUrl) return smtpMailer(config, config.smtpUrl)
  return config.env === 'development' ? folderMailer(config, log) : noMailer
}
