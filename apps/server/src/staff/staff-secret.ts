import type { Ctx } from '../context.ts'
import { decryptAtRest, encryptAtRest } from '../credentials/at-rest.ts'

/** A staff user's TOTP secret is stored sealed under the master key, bound to the user's id. */
export const sealTotpSecret = (ctx: Ctx, staffId: string, secret: Buffer) =>
  encryptAtRest(ctx.secrets.masterKey, `totp:${staffId}`, secret).toString('base64')

export const openTotpSecret = (ctx: Ctx, staffId: string, sealed: string) =>
  decryptAtRest(ctx.secrets.masterKey, `totp:${staffId}`, Buffer.from(sealed, 'base64'))
