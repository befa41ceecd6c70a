import { randomBytes } from 'node:crypto'
import type { Ctx } from '../context.ts'
import { decryptAtRest, encryptAtRest } from '../credentials/at-rest.ts'
import { enqueueJob, type JobPayloads } from '../jobs/enqueue.ts'
import type { Tx } from '../store/schema.ts'
import type { MailMessage } from './mailer.ts'

type SendEmailPayload = JobPayloads['email.send']

const purpose = (id: string) => `mail:${id}`

/**
 * Queues a message in the caller's transaction (job `email.send`): it is sent only if the
 * business change commits, and retried with backoff when the SMTP server fails.
 */
export async function queueEmail(ctx: Ctx, tx: Tx, msg: Omit<MailMessage, 'id'>, now: Date): Promise<string> {
  const id = `mail_${randomBytes(12).toString('hex')}`
  const body = JSON.stringify({ text: msg.text, html: msg.html })
  const payload: SendEmailPayload = {
    id,
    to: msg.to,
    subject: msg.subject,
    sealed: encryptAtRest(ctx.secrets.masterKey, purpose(id), Buffer.from(body)).toString('base64'),
  }
  // 20 attempts with the runner's backoff (doubling from 5 s, capped at 1 h): about 12 hours of an SMTP outage.
  await enqueueJob(tx, { kind: 'email.send', payload, runAt: now, now, maxAttempts: 20 })
  return id
}

/**
 * Job `email.send`. A retry after a crash between sending and recording may send the message
 * again; it carries the same Message-ID (and file name in the development folder), so it is the
 * same message.
 */
export async function sendEmail(ctx: Ctx, payload: SendEmailPayload): Promise<void> {
  const body = JSON.parse(
    decryptAtRest(
      ctx.secrets.masterKey,
      purpose(payload.id),
      Buffer.from(payload.sealed, 'base64'),
    ).toString(),
  ) as { text: string; html?: string }
  await ctx.mailer.send({ id: payload.id, to: payload.to, subject: payload.subject, ...body })
}
