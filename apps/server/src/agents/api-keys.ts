import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, notFound } from '../domain/errors.ts'
import { newId, randomBase62 } from '../domain/ids.ts'
import { sha256Hex } from '../secrets.ts'
import { revokeKeySessions } from '../sessions/revoke-session.ts'
import type { Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'

/** A fresh `ho_live_` key: shown once, stored only as a SHA-256 hash and a display prefix. */
export async function insertApiKey(tx: Tx, agentId: string, name: string, now: Date) {
  const key = `ho_live_${randomBase62(48)}`
  const row = {
    id: newId('key'),
    agent_id: agentId,
    name,
    key_hash: sha256Hex(key),
    key_prefix: `${key.slice(0, 20)}..`,
    last_used_at: null,
    created_at: iso(now),
    revoked_at: null,
  }
  await tx.insertInto('api_keys').values(row).execute()
  return { key, row }
}

export async function createApiKey(ctx: Ctx, agentId: string, name: string) {
  const { key, row } = await insertApiKey(ctx.store.db, agentId, name, ctx.clock.now())
  return {
    id: row.id,
    name: row.name,
    key,
    api_key: key,
    key_prefix: row.key_prefix,
    created_at: row.created_at,
  }
}

export async function listApiKeys(ctx: Ctx, agentId: string) {
  const rows = await ctx.store.db
    .selectFrom('api_keys')
    .select(['id', 'key_prefix', 'name', 'last_used_at', 'created_at'])
    .where('agent_id', '=', agentId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute()
  return { data: rows }
}

export async function revokeApiKey(ctx: Ctx, agentId: string, keyId: string) {
  return withTx(ctx.store, async (tx) => {
    const live = await tx
      .selectFrom('api_keys')
      .select(['id'])
      .where('agent_id', '=', agentId)
      .where('revoked_at', 'is', null)
      .execute()
    if (!live.some((k) => k.id === keyId)) throw notFound('API key')
    if (live.length === 1) {
      throw new DomainError('CONFLICT', 'This is your last API key; create another one before revoking it.')
    }
    const now = iso(ctx.clock.now())
    await tx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', keyId).execute()
    await revokeKeySessions(ctx, tx, keyId)
    forgetKey(ctx, keyId)
    return { id: keyId, revoked_at: now }
  })
}

const TOUCH_EVERY_MS = 60_000

export interface CachedKey {
  agentId: string
  keyId: string
  lastUsedAt: number
  cachedUntil: number
}

/**
 * Resolves an `X-API-Key` to its agent. Lookups are cached per process for
 * `HUMCLI_AUTH_CACHE_MS` (default 5 s; revoking a key clears it at once in the process that
 * revoked it, and within that time in the others). `last_used_at` is written at most once a minute.
 */
export async function authenticateApiKey(
  ctx: Ctx,
  key: string,
): Promise<{ agentId: string; keyId: string } | null> {
  const hash = sha256Hex(key)
  const now = ctx.clock.now().getTime()
  let entry = ctx.caches.apiKeys.get(hash)
  if (!entry || entry.cachedUntil <= now) {
    const row = await ctx.store.db
      .selectFrom('api_keys')
      .select(['id', 'agent_id', 'last_used_at'])
      .where('key_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (!row) {
      ctx.caches.apiKeys.delete(hash)
      return null
    }
    entry = {
      agentId: row.agent_id,
      keyId: row.id,
      lastUsedAt: row.last_used_at ? new Date(row.last_used_at).getTime() : 0,
      cachedUntil: now + ctx.config.authCacheMs,
    }
    if (ctx.config.authCacheMs > 0) {
      if (ctx.caches.apiKeys.size >= 10_000) ctx.caches.apiKeys.clear()
      ctx.caches.apiKeys.set(hash, entry)
    }
  }
  if (now - entry.lastUsedAt > TOUCH_EVERY_MS) {
    entry.lastUsedAt = now
    const at = new Date(now).toISOString()
    await ctx.store.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', '=', entry.keyId)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
      .execute()
      .catch(() => {})
  }
  return { agentId: entry.agentId, keyId: entry.keyId }
}

/** Forgets a revoked key in this process at once. */
function forgetKey(ctx: Ctx, keyId: string): void {
  for (const [hash, entry] of ctx.caches.apiKeys) if (entry.keyId === keyId) ctx.caches.apiKeys.delete(hash)
}
