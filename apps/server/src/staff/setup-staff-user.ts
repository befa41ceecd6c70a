import qrcode from 'qrcode-generator'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { base32Encode, matchTotp, otpauthUri } from '../domain/totp.ts'
import { hashPassword } from '../operators/password.ts'
import { sha256Hex } from '../secrets.ts'
import type { Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'
import { openTotpSecret } from './staff-secret.ts'

const MIN_PASSWORD = 12

const badLink = () =>
  new DomainError(
    'NOT_FOUND',
    'This set-up link is unknown, used or expired: ask an admin for a new one (`humcli admin create-user`).',
  )

async function pendingUser(ctx: Ctx, tx: Tx, token: string) {
  const user = await tx
    .selectFrom('staff_users')
    .selectAll()
    .where('setup_token_hash', '=', sha256Hex(token))
    .executeTakeFirst()
  if (!user?.setup_expires_at || new Date(user.setup_expires_at) <= ctx.clock.now()) throw badLink()
  return user
}

/** `GET /staff/setup`: what the set-up page shows — the TOTP secret, as a URI and a QR code (SVG). */
export async function readStaffSetup(ctx: Ctx, token: string) {
  const user = await pendingUser(ctx, ctx.store.db, token)
  const secret = base32Encode(openTotpSecret(ctx, user.id, user.totp_secret))
  const uri = otpauthUri(secret, user.email, 'humcli')
  const qr = qrcode(0, 'M')
  qr.addData(uri)
  qr.make()
  return {
    email: user.email,
    role: user.role,
    totp_secret: secret,
    otpauth_uri: uri,
    qr_svg: qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true }),
    expires_at: user.setup_expires_at,
  }
}

/**
 * `POST /staff/setup`: sets the password and confirms the authenticator with a current code;
 * the link then stops working. A code used here cannot be used again to log in.
 */
export async function completeStaffSetup(
  ctx: Ctx,
  input: { token: string; password: string; totp_code: string },
) {
  if (input.password.length < MIN_PASSWORD) {
    throw new DomainError('VALIDATION_FAILED', `The password needs at least ${MIN_PASSWORD} characters.`, [
      { path: 'password', message: `at least ${MIN_PASSWORD} characters` },
    ])
  }
  const passwordHash = await hashPassword(input.password)
  const now = ctx.clock.now()
  return withTx(ctx.store, async (tx) => {
    const user = await pendingUser(ctx, tx, input.token)
    const step = matchTotp(openTotpSecret(ctx, user.id, user.totp_secret), input.totp_code, now)
    if (step === null) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'The code does not match: scan the QR code again and enter the 6 digits your app shows now.',
        [{ path: 'totp_code', message: 'wrong or expired code' }],
      )
    }
    const r = await tx
      .updateTable('staff_users')
      .set({
        password_hash: passwordHash,
        totp_last_step: BigInt(step),
        setup_token_hash: null,
        setup_expires_at: null,
        activated_at: iso(now),
      })
      .where('id', '=', user.id)
      .where('setup_token_hash', '=', sha256Hex(input.token))
      .executeTakeFirst()
    if (r.numUpdatedRows === 0n) throw badLink()
    return { id: user.id, email: user.email, role: user.role, activated_at: iso(now) }
  })
}
