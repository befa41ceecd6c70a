import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import type { IdempotencyKeysTable, Tx } from '../store/schema.ts'
import { isUniqueViolation } from '../store/tx.ts'
import { decodeResult, encodeResult } from '../store/tx-scope.ts'

/**
 * The rows behind `Idempotency-Key` (ADR 0013). A key is `running` while a process holds its
 * claim (`owner`, `lease_until`, renewed while the request runs), `committed` once the request's
 * business transaction committed (its `result` written in that transaction), `done` once the
 * answer is stored. A claim whose lease lapsed belongs to a dead process and is taken over: a
 * `running` one runs again (nothing of it committed), a `committed` one rebuilds its answer from
 * `result` (the change is never made twice).
 */
export type Claim =
  | { kind: 'run'; replay: { value: unknown } | null }
  | { kind: 'answer'; status: number; body: string }
  | { kind: 'busy' }

type Row = IdempotencyKeysTable

const leaseEnd = (ctx: Ctx) => iso(addMs(ctx.clock.now(), ctx.config.idempotencyLeaseMs))

function lapsed(ctx: Ctx, row: Row): boolean {
  // A claim written before leases existed lapses a lease after it was made.
  const until = row.lease_until ?? iso(addMs(new Date(row.created_at), ctx.config.idempotencyLeaseMs))
  return until < iso(ctx.clock.now())
}

async function insertClaim(ctx: Ctx, scope: string, hash: string, owner: string): Promise<boolean> {
  const now = ctx.clock.now()
  try {
    await ctx.store.db
      .insertInto('idempotency_keys')
      .values({
        scope,
        request_hash: hash,
        state: 'running',
        response_status: null,
        response_body: null,
        created_at: iso(now),
        expires_at: iso(addMs(now, ctx.config.idempotencyTtlMs)),
        owner,
        lease_until: leaseEnd(ctx),
        result: null,
      })
      .execute()
    return true
  } catch (err) {
    if (isUniqueViolation(err)) return false
    throw err
  }
}

/** Compare-and-set: the lapsed claim is ours only if nobody else took it over first. */
async function takeOver(ctx: Ctx, row: Row, owner: string): Promise<boolean> {
  const r = await ctx.store.db
    .updateTable('idempotency_keys')
    .set({ owner, lease_until: leaseEnd(ctx) })
    .where('scope', '=', row.scope)
    .where('state', '=', row.state)
    .where('owner', row.owner === null ? 'is' : '=', row.owner)
    .where('lease_until', row.lease_until === null ? 'is' : '=', row.lease_until)
    .executeTakeFirst()
  return r.numUpdatedRows === 1n
}

/** Claims `scope` for `owner`, or says what to answer instead. */
export async function claim(ctx: Ctx, scope: string, hash: string, owner: string): Promise<Claim> {
  await ctx.store.db
    .deleteFrom('idempotency_keys')
    .where('scope', '=', scope)
    .where('expires_at', '<', iso(ctx.clock.now()))
    .execute()
  if (await insertClaim(ctx, scope, hash, owner)) return { kind: 'run', replay: null }
  const row = await ctx.store.db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('scope', '=', scope)
    .executeTakeFirst()
  if (!row) return { kind: 'busy' }
  if (row.request_hash !== hash) {
    throw new DomainError(
      'IDEMPOTENCY_MISMATCH',
      'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
    )
  }
  if (row.state === 'done') {
    return { kind: 'answer', status: Number(row.response_status), body: row.response_body ?? '' }
  }
  if (!lapsed(ctx, row) || !(await takeOver(ctx, row, owner))) return { kind: 'busy' }
  if (row.state === 'committed' && row.result !== null) {
    return { kind: 'run', replay: { value: decodeResult(row.result) } }
  }
  return { kind: 'run', replay: null }
}

/**
 * In the business transaction: the key is committed with its result, or — when another process
 * took the claim over meanwhile — the transaction is rolled back, so the change is made once.
 */
export async function markCommitted(tx: Tx, scope: string, owner: string, value: unknown): Promise<void> {
  const r = await tx
    .updateTable('idempotency_keys')
    .set({ state: 'committed', result: encodeResult(value) })
    .where('scope', '=', scope)
    .where('owner', '=', owner)
    .where('state', '=', 'running')
    .executeTakeFirst()
  if (r.numUpdatedRows !== 1n) {
    throw new DomainError(
      'IDEMPOTENCY_IN_FLIGHT',
      'A request with this Idempotency-Key was taken over by another attempt; retry with the same key to get its result.',
    )
  }
}

/** The answer is stored for replays; the result it was built from is no longer needed. */
export async function storeAnswer(
  ctx: Ctx,
  scope: string,
  owner: string,
  status: number,
  body: string,
): Promise<void> {
  await ctx.store.db
    .updateTable('idempotency_keys')
    .set({
      state: 'done',
      response_status: BigInt(status),
      response_body: body,
      result: null,
      lease_until: null,
    })
    .where('scope', '=', scope)
    .where('owner', '=', owner)
    .execute()
}

/**
 * A 5xx (or an answer that cannot be stored): if nothing committed the key is freed for a retry;
 * if the change committed, the claim lapses at once, so a retry rebuilds the answer from it.
 */
export async function releaseClaim(
  ctx: Ctx,
  scope: string,
  owner: string,
  committed: boolean,
): Promise<void> {
  const db = ctx.store.db
  if (!committed) {
    await db
      .deleteFrom('idempotency_keys')
      .where('scope', '=', scope)
      .where('owner', '=', owner)
      .where('state', '=', 'running')
      .execute()
    return
  }
  await db
    .updateTable('idempotency_keys')
    .set({ lease_until: iso(addMs(ctx.clock.now(), -1)) })
    .where('scope', '=', scope)
    .where('owner', '=', owner)
    .execute()
}

/** Extends the leases of the claims this process still works on. */
export async function renewLeases(ctx: Ctx, owner: string, scopes: string[]): Promise<void> {
  if (scopes.length === 0) return
  await ctx.store.db
    .updateTable('idempotency_keys')
    .set({ lease_until: leaseEnd(ctx) })
    .where('owner', '=', owner)
    .where('scope', 'in', scopes)
    .where('state', '!=', 'done')
    .execute()
}
