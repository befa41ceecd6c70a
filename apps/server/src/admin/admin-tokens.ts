import { randomBytes } from 'node:crypto'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { newId } from '../domain/ids.ts'
import { sha256Hex } from '../secrets.ts'

/** Admin tokens are created from the command line, shown once and stored hashed. */
export async function createAdminToken(ctx: Ctx, name: string) {
  const token = `hadm_${randomBytes(32).toString('base64url')}`
  const id = newId('adm')
  await ctx.store.db
    .insertInto('admin_tokens')
    .values({ id, name, token_hash: sha256Hex(token), created_at: iso(ctx.clock.now()), revoked_at: null })
    .execute()
  return { id, name, token }
}

export async function authenticateAdminToken(ctx: Ctx, token: string): Promise<string | null> {
  const row = await ctx.store.db
    .selectFrom('admin_tokens')
    .select('id')
    .where('token_hash', '=', sha256Hex(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return row?.id ?? null
}
