import { randomBytes } from 'node:crypto'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, RetryLaterError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { microsToUsd } from '../domain/money.ts'
import { queueEmail } from '../mail/send-email.ts'
import { sha256Hex } from '../secrets.ts'
import type { Tx } from '../store/schema.ts'
import { lockRow, withTx } from '../store/tx.ts'
import { loadAgent } from './load.ts'

/** Where verification links point when no request tells us: HUMCLI_PUBLIC_URL, else the listen address. */
export function configuredLinkBase(ctx: Ctx): string {
  const { publicUrl, host, port } = ctx.config
  if (publicUrl) return publicUrl.replace(/\/$/, '')
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function message(ctx: Ctx, agent: { id: string; name: string; email: string }, link: string) {
  const hours = Math.round(ctx.config.emailVerificationTtlMs / 3_600_000)
  const verified = ctx.config.tierLimits.VERIFIED
  const perks =
    `Once verified, your agent is VERIFIED: its new tasks go to real operators, up to ` +
    `$${microsToUsd(verified.maxTaskValueMicros)} per task and $${microsToUsd(verified.maxDailySpendMicros)} a day. ` +
    'Deposits totalling $50 then make it STANDARD.'
  const text = [
    `Hello ${agent.name},`,
    '',
    `Confirm that ${agent.email} belongs to your humcli agent ${agent.id} by opening this link (valid for ${hours} hours, once):`,
    '',
    link,
    '',
    perks,
    '',
    'If you did not register an agent, ignore this email.',
  ].join('\n')
  const html =
    `<p>Hello ${escapeHtml(agent.name)},</p>` +
    `<p>Confirm that ${escapeHtml(agent.email)} belongs to your humcli agent <code>${agent.id}</code>:</p>` +
    `<p><a href="${escapeHtml(link)}">Verify my email</a> (valid for ${hours} hours, once)</p>` +
    `<p>${escapeHtml(perks)}</p><p>If you did not register an agent, ignore this email.</p>`
  return { to: agent.email, subject: 'Verify your email for humcli', text, html }
}

/**
 * Creates a single-use verification token (only its SHA-256 is stored) and queues the email with
 * the link, in the caller's transaction. Returns when the link expires.
 */
export async function queueVerificationEmail(
  ctx: Ctx,
  tx: Tx,
  agent: { id: string; name: string; email: string },
  linkBase: string,
  now: Date,
): Promise<Date> {
  const token = randomBytes(32).toString('base64url')
  const expiresAt = addMs(now, ctx.config.emailVerificationTtlMs)
  await tx
    .insertInto('email_verifications')
    .values({
      id: newId('emv'),
      agent_id: agent.id,
      email: agent.email,
      token_hash: sha256Hex(token),
      created_at: iso(now),
      expires_at: iso(expiresAt),
      used_at: null,
    })
    .execute()
  const link = `${linkBase}/api/v1/agents/verify-email?token=${token}`
  await queueEmail(ctx, tx, message(ctx, agent, link), now)
  return expiresAt
}

/** `POST /agents/resend-verification`: a new link, at most once per `HUMCLI_VERIFICATION_RESEND_MS`. */
export async function resendVerification(ctx: Ctx, agentId: string, linkBase: string) {
  if (ctx.mailer.kind === 'none') {
    throw new DomainError(
      'UNAVAILABLE',
      'This server cannot send email (HUMCLI_SMTP_URL is not set); ask its operator to configure SMTP.',
    )
  }
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    // One resend at a time per agent, so two racing requests cannot both pass the interval check.
    await lockRow(tx, ctx.store.dialect, 'agents', agentId)
    const agent = await loadAgent(tx, agentId)
    if (agent.email_verified_at) throw new DomainError('VALIDATION_FAILED', 'Email already verified.')
    const last = await tx
      .selectFrom('email_verifications')
      .select('created_at')
      .where('agent_id', '=', agentId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    const wait = last
      ? new Date(last.created_at).getTime() + ctx.config.verificationResendMs - now.getTime()
      : 0
    if (wait > 0) {
      const s = Math.ceil(wait / 1000)
      throw new RetryLaterError(
        `A verification email was sent less than ${Math.ceil(ctx.config.verificationResendMs / 1000)} seconds ago; check your inbox or try again in ${s} seconds.`,
        s,
      )
    }
    const expiresAt = await queueVerificationEmail(ctx, tx, agent, linkBase, now)
    return {
      email: agent.email,
      expires_at: iso(expiresAt),
      message: `A verification link was sent to ${agent.email}; it is valid until ${iso(expiresAt)}.`,
    }
  })
}
