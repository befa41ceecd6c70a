import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { isUniqueViolation } from '../store/tx.ts'
import { principalKey } from './auth.ts'

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyScope: string | null
  }
  interface FastifyContextConfig {
    idempotent?: boolean
  }
}

const POLL_MS = 20

/** JSON with object keys sorted, so the same body with its keys in another order is the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value ?? null)
}

function requestHash(req: FastifyRequest): string {
  return createHash('sha256').update(canonicalJson(req.body)).digest('hex')
}

async function claim(ctx: Ctx, scope: string, hash: string): Promise<boolean> {
  const now = ctx.clock.now()
  const db = ctx.store.db
  await db
    .deleteFrom('idempotency_keys')
    .where('scope', '=', scope)
    .where('expires_at', '<', iso(now))
    .execute()
  try {
    await db
      .insertInto('idempotency_keys')
      .values({
        scope,
        request_hash: hash,
        state: 'running',
        response_status: null,
        response_body: null,
        created_at: iso(now),
        expires_at: iso(addMs(now, ctx.config.idempotencyTtlMs)),
      })
      .execute()
    return true
  } catch (err) {
    if (isUniqueViolation(err)) return false
    throw err
  }
}

/**
 * `Idempotency-Key` (spec §1): scope is (principal, method, path, key). The first request runs;
 * a repeat with the same body replays the stored status and body byte for byte; another body is
 * 422. A repeat that arrives while the first still runs waits for it (up to a configured time),
 * then replays, or answers 409 if the first is still running.
 */
export function installIdempotency(app: FastifyInstance, ctx: Ctx): void {
  app.decorateRequest('idempotencyScope', null)

  const claimKey = async (req: FastifyRequest, reply: FastifyReply) => {
    const key = req.headers['idempotency-key']
    if (key === undefined) return
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
      throw invalid('Idempotency-Key', 'The Idempotency-Key header must be 1 to 255 characters.')
    }
    const scope = `${principalKey(req.principal)}|${req.method}|${req.url.split('?')[0]}|${key}`
    const hash = requestHash(req)
    const deadline = Date.now() + ctx.config.idempotencyWaitMs
    for (;;) {
      if (await claim(ctx, scope, hash)) {
        req.idempotencyScope = scope
        return
      }
      const row = await ctx.store.db
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('scope', '=', scope)
        .executeTakeFirst()
      if (!row) continue
      if (row.request_hash !== hash) {
        throw new DomainError(
          'IDEMPOTENCY_MISMATCH',
          'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
        )
      }
      if (row.state === 'done') {
        reply
          .code(Number(row.response_status))
          .header('idempotent-replayed', 'true')
          .type('application/json; charset=utf-8')
          .send(row.response_body)
        return reply
      }
      if (Date.now() >= deadline) {
        throw new DomainError(
          'IDEMPOTENCY_IN_FLIGHT',
          'A request with this Idempotency-Key is still being processed; retry shortly.',
        )
      }
      await new Promise((r) => setTimeout(r, POLL_MS))
    }
  }

  const storeReply = async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const scope = req.idempotencyScope
    if (!scope) return payload
    req.idempotencyScope = null
    const db = ctx.store.db
    // A refusal while the client was gone (an upload cut mid-way) is about a request it never
    // finished sending: forget it, so the retry with the same key runs.
    const clientGone = req.raw.aborted || req.raw.socket?.destroyed === true
    if (reply.statusCode >= 500 || typeof payload !== 'string' || (reply.statusCode >= 400 && clientGone)) {
      // Nothing was done for certain: let the client retry with the same key.
      await db.deleteFrom('idempotency_keys').where('scope', '=', scope).execute()
    } else {
      await db
        .updateTable('idempotency_keys')
        .set({ state: 'done', response_status: BigInt(reply.statusCode), response_body: payload })
        .where('scope', '=', scope)
        .execute()
    }
    return payload
  }

  // Only the routes marked `config: { idempotent: true }` get the hooks: other requests pay nothing.
  // Call before routes are added.
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return
    route.preHandler = [...asArray(route.preHandler), claimKey]
    route.onSend = [...asArray(route.onSend), storeReply]
  })
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])
