import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
  user: string | null
}

/** A real local SMTP server (the `smtp-server` package) standing in for a mail provider. */
export interface LocalSmtp {
  port: number
  url: string
  received: ReceivedMail[]
  /** Answer for the next messages: accept, or refuse with a temporary error. */
  refuseNext: number
  close(): Promise<void>
}

export async function startSmtp(auth = { user: 'mailer', pass: 'mail password' }): Promise<LocalSmtp> {
  const smtp: LocalSmtp = { port: 0, url: '', received: [], refuseNext: 0, close: async () => {} }
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(a, _session, cb) {
      if (a.username === auth.user && a.password === auth.pass) return cb(null, { user: a.username })
      return cb(new Error('Invalid username or password'))
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        if (smtp.refuseNext > 0) {
          smtp.refuseNext--
          const err = new Error('Mailbox busy, try later') as Error & { responseCode: number }
          err.responseCode = 451
          return cb(err)
        }
        smtp.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: (session.user as string | undefined) ?? null,
        })
        cb()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  smtp.port = (server.server.address() as AddressInfo).port
  smtp.url = `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${smtp.port}`
  smtp.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return smtp
}

/** Quoted-printable: soft line breaks (`=` at the end of a line) go, `=XX` becomes the byte XX. */
export function decodeQuotedPrintable(s: string): string {
  const bytes = s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

/** The decoded text/plain body of a raw RFC 822 message (single part or multipart). */
export function plainText(raw: string): string {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1]
  const parts = boundary ? raw.split(`--${boundary}`) : [raw]
  const part = parts.find((p) => /content-type:\s*text\/plain/i.test(p))
  if (!part) throw new Error(`no text/plain part in:\n${raw}`)
  const split = /\r?\n\r?\n/.exec(part)!
  const head = part.slice(0, split.index)
  const body = part.slice(split.index + split[0].length)
  if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) return decodeQuotedPrintable(body)
  if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body, 'base64').toString('utf8')
  return body
}

/** A header of the message (the first occurrence, unfolded). */
export function header(raw: string, name: string): string | null {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ')
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)
  return m ? m[1]!.trim() : null
}
