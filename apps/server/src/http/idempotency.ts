import { createHash, randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import type { Ctx } from '../context.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { faultPoint } from '../faults.ts'
import { runInTxScope, type TxScope } from '../store/tx-scope.ts'
import { principalKey } from './auth.ts'
import { claim, markCommitted, releaseClaim, renewLeases, storeAnswer } from './idempotency-claims.ts'

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { scope: string; tx: TxScope } | null
    /** Set by `storeForReplay`: what a replay answers instead of this reply's body. */
    idempotencyReplayBody: string | null
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

/** The hook on the request's business transaction: the key commits with the change (ADR 0013). */
function txScope(ctx: Ctx, scope: string, owner: string, replay: { value: unknown } | null): TxScope {
  return {
    replay,
    committed: false,
    async beforeCommit(tx, value) {
      // A secret shown once is never kept with the key (ADR 0013): a replay answers without it.
      const kept =
        value && typeof value === 'object' && 'generatedCallbackSecret' in value
          ? { ...value, generatedCallbackSecret: null }
          : value
      await markCommitted(tx, scope, owner, kept)
      faultPoint(ctx.config, 'idempotency.before-commit')
    },
    afterCommit: () => faultPoint(ctx.config, 'idempotency.committed'),
  }
}

/**
 * `Idempotency-Key` (spec §1): scope is (principal, method, path, key). The first request runs;
 * a repeat with the same body replays the stored status and body byte for byte (less a secret
 * shown once, see `storeForReplay`); another body is
 * 422. A repeat that arrives while the first still runs waits for it (up to a configured time),
 * then replays, or answers 409 if the first is still running. The key is marked committed inside
 * the request's business transaction, and a claim whose process died (its lease lapsed) is taken
 * over: run again if nothing committed, else answered from the committed result (ADR 0013).
 */
export function installIdempotency(app: FastifyInstance, ctx: Ctx): void {
  app.decorateRequest('idempotency', null)
  app.decorateRequest('idempotencyReplayBody', null)
  const owner = `i_${process.pid}_${randomBytes(4).toString('hex')}`
  const inFlight = new Set<string>()
  const renew = () =>
    renewLeases(ctx, owner, [...inFlight]).catch((err) =>
      ctx.log.warn({ err }, 'renewing Idempotency-Key leases failed'),
    )
  const renewing = setInterval(renew, Math.max(50, Math.floor(ctx.config.idempotencyLeaseMs / 3)))
  renewing.unref()
  app.addHook('onClose', async () => clearInterval(renewing))

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
      const c = await claim(ctx, scope, hash, owner)
      if (c.kind === 'run') {
        req.idempotency = { scope, tx: txScope(ctx, scope, owner, c.replay) }
        inFlight.add(scope)
        faultPoint(ctx.config, 'idempotency.claimed')
        return
      }
      if (c.kind === 'answer') {
        reply
          .code(c.status)
          .header('idempotent-replayed', 'true')
          .type('application/json; charset=utf-8')
          .send(c.body)
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
    const run = req.idempotency
    if (!run) return payload
    req.idempotency = null
    // A refusal while the client was gone (an upload cut mid-way) is about a request it never
    // finished sending: forget it, so the retry with the same key runs.
    const clientGone = req.raw.aborted || req.raw.socket?.destroyed === true
    try {
      if (reply.statusCode >= 500 || typeof payload !== 'string' || (reply.statusCode >= 400 && clientGone)) {
        await releaseClaim(ctx, run.scope, owner, run.tx.committed)
      } else {
        await storeAnswer(ctx, run.scope, owner, reply.statusCode, req.idempotencyReplayBody ?? payload)
      }
    } finally {
      inFlight.delete(run.scope)
    }
    return payload
  }

  // Only the routes marked `config: { idempotent: true }` get the hooks: other requests pay nothing.
  // Call before routes are added.
  app.addHook('onRoute', (route) => {
    if (!route.config?.idempotent) return
    route.preHandler = [...asArray(route.preHandler), claimKey]
    route.onSend = [...asArray(route.onSend), storeReply]
    const handler = route.handler as RouteHandlerMethod
    route.handler = function (this: FastifyInstance, req, reply) {
      const run = req.idempotency
      return run ? runInTxScope(run.tx, () => handler.call(this, req, reply)) : handler.call(this, req, reply)
    }
  })
}

/**
 * Stores `body` for replays of this request instead of the answer sent now: for an answer that
 * holds a secret shown once (a generated callback secret), which must never be stored.
 */
export function storeForReplay(req: FastifyRequest, body: unknown): void {
  req.idempotencyReplayBody = JSON.stringify(body)
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])
