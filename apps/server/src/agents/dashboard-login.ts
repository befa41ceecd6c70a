import { randomBytes } from 'node:crypto'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { queueEmail } from '../mail/send-email.ts'
import { sha256Hex } from '../secrets.ts'
import { withTx } from '../store/tx.ts'
import { authenticateApiKey } from './api-keys.ts'

const SENT =
  'If an agent is registered with this email, a login link is on its way; it works once, for a short time.'

/**
 * `POST /dashboard/login-link`: emails a single-use login link (only its SHA-256 is stored) to
 * the agent with this email. The answer is the same whether or not one exists, and at most one
 * link per `verificationResendMs` is sent to an agent.
 */
export async function requestDashboardLink(ctx: Ctx, email: string, linkBase: string) {
  if (ctx.mailer.kind === 'none') {
    throw new DomainError(
      'UNAVAILABLE',
      'This server cannot send email (HUMCLI_SMTP_URL is not set): log in with an API key instead.',
    )
  }
  const now = ctx.clock.now()
  await withTx(ctx.store, async (tx) => {
    const agent = await tx
      .selectFrom('agents')
      .select(['id', 'name', 'email'])
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst()
    if (!agent) return
    const last = await tx
      .selectFrom('agent_login_links')
      .select('created_at')
      .where('agent_id', '=', agent.id)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (last && new Date(last.created_at).getTime() + ctx.config.verificationResendMs > now.getTime()) return
    const token = randomBytes(32).toString('base64url')
    const expiresAt = addMs(now, ctx.config.agentLoginLinkTtlMs)
    await tx
      .insertInto('agent_login_links')
      .values({
        token_hash: sha256Hex(token),
        agent_id: agent.id,
        created_at: iso(now),
        expires_at: iso(expiresAt),
        used_at: null,
      })
      .execute()
    const link = `${linkBase}/dashboard/login#token=${token}`
    const minutes = Math.round(ctx.config.agentLoginLinkTtlMs / 60_000)
    await queueEmail(
      ctx,
      tx,
      {
        to: agent.email,
        subject: 'Your humcli dashboard login link',
        text: `Open this link to log in to the dashboard of ${agent.id} (valid ${minutes} minutes, once):\n\n${link}\n\nIf you did not ask for it, ignore this email.`,
      },
      now,
    )
  })
  return { message: SENT }
}

/** Signs in with a login-link token: the link is compare-and-set used; returns the agent's id. */
export async function redeemDashboardLink(ctx: Ctx, token: string): Promise<string> {
  const now = iso(ctx.clock.now())
  const link = await ctx.store.db
    .updateTable('agent_login_links')
    .set({ used_at: now })
    .where('token_hash', '=', sha256Hex(token))
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('agent_id')
    .executeTakeFirst()
  if (!link)
    throw new DomainError('UNAUTHORIZED', 'This login link is unknown, used or expired: ask for a new one.')
  return link.agent_id
}

/**
 * `POST /dashboard/session`: with `token` (from the login link) or `api_key`; returns the agent's
 * id and the key used, if one was (revoking that key ends the session).
 */
export async function checkDashboardLogin(
  ctx: Ctx,
  body: { token?: string; api_key?: string },
): Promise<{ id: string; apiKeyId: string | null }> {
  if ((body.token === undefined) === (body.api_key === undefined)) {
    throw invalid('body', 'Send exactly one of `token` (from the login link) or `api_key`.')
  }
  if (body.token !== undefined) return { id: await redeemDashboardLink(ctx, body.token), apiKeyId: null }
  const key = body.api_key!.trim()
  const found = await authenticateApiKey(ctx, key)
  if (found) return { id: found.agentId, apiKeyId: found.keyId }
  const other = notAnAgentKey(key)
  if (other) throw new DomainError('FORBIDDEN', other)
  throw new DomainError('UNAUTHORIZED', 'Invalid API key: check it (revoked keys stop working).')
}

/**
 * What a pasted credential of another role is, so a staff member or an operator who pastes their
 * token is told where they belong rather than "invalid". Only the shape is read: nothing about
 * the credential's validity is revealed.
 */
function notAnAgentKey(key: string): string | null {
  if (/^h(adm|stf)_/.test(key))
    return 'This is a staff token, not an agent API key: the dashboard is for agents; staff use the console at /admin.'
  if (key.startsWith('hagt_'))
    return 'This is a dashboard access token, not an API key: paste an API key (ho_live_…) or ask for a login link.'
  if (/^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(key))
    return 'This looks like an operator sign-in token, not an agent API key: the dashboard is for agents; operators sign in at /login.'
  return null
}
