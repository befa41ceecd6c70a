import { randomBytes } from 'node:crypto'
import { recordAudit } from '../admin/audit.ts'
import { configuredLinkBase } from '../agents/send-verification.ts'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import type { StaffRole } from '../domain/staff-roles.ts'
import { sha256Hex } from '../secrets.ts'
import { withTx } from '../store/tx.ts'
import { sealTotpSecret } from './staff-secret.ts'

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * `humcli admin create-user`: a staff user with no password yet and a one-time set-up link
 * (only its SHA-256 is stored). The TOTP secret is made now and shown once, at set-up.
 */
export async function createStaffUser(ctx: Ctx, input: { email: string; role: StaffRole; actor: string }) {
  const email = input.email.trim().toLowerCase()
  if (!EMAIL.test(email)) {
    throw new DomainError('VALIDATION_FAILED', `"${input.email}" is not an email address.`)
  }
  const now = ctx.clock.now()
  const id = newId('stf')
  const token = randomBytes(32).toString('base64url')
  const expiresAt = addMs(now, ctx.config.staffSetupTtlMs)
  await withTx(ctx.store, async (tx) => {
    const taken = await tx
      .selectFrom('staff_users')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirst()
    if (taken)
      throw new DomainError('CONFLICT', `A staff user with the email ${email} exists already (${taken.id}).`)
    await tx
      .insertInto('staff_users')
      .values({
        id,
        email,
        role: input.role,
        password_hash: null,
        totp_secret: sealTotpSecret(ctx, id, randomBytes(20)),
        totp_last_step: 0n,
        setup_token_hash: sha256Hex(token),
        setup_expires_at: iso(expiresAt),
        activated_at: null,
        disabled_at: null,
        created_by: input.actor,
        created_at: iso(now),
      })
      .execute()
    await recordAudit(tx, {
      actor: input.actor,
      action: 'staff.create',
      objectType: 'staff_user',
      objectId: id,
      after: { email, role: input.role },
      at: now,
    })
  })
  const setupLink = `${configuredLinkBase(ctx)}/admin/setup#token=${token}`
  return { id, email, role: input.role, setup_link: setupLink, expires_at: iso(expiresAt) }
}
