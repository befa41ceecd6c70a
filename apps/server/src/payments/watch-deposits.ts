import { recordDeposit, settlePendingDeposit } from '../agents/record-deposit.ts'
import { DEPOSIT_CHAIN } from '../agents/wallet.ts'
import { addMs, iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { faultPoint } from '../faults.ts'
import { enqueueJob } from '../jobs/enqueue.ts'
import { enqueueOnce } from '../jobs/enqueue-once.ts'
import type { Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'
import type { ChainWatch, ObservedTransfer } from './chain.ts'

const min = (a: bigint, b: bigint) => (a < b ? a : b)
const max = (a: bigint, b: bigint) => (a > b ? a : b)

export const CURSOR_NAME = `deposits:${DEPOSIT_CHAIN}`
/** Ranges read per run, so one run stays short however far behind the cursor is. */
const RANGES_PER_RUN = 20
const RECHECK_BATCH = 100

/** Queues the watcher unless a run is already queued or running (`humcli serve`, `worker`). */
export async function scheduleWatcher(ctx: Ctx): Promise<void> {
  if (!ctx.chain.watch) return
  const now = ctx.clock.now()
  await withTx(ctx.store, (tx) => enqueueOnce(tx, { kind: 'chain.watch', payload: {}, runAt: now, now }))
}

/** The cursor row, created on first use at HUMCLI_CHAIN_START_BLOCK (or the block after the latest). */
async function loadCursor(ctx: Ctx, watch: ChainWatch, latest: bigint) {
  const row = await ctx.store.db
    .selectFrom('chain_cursors')
    .selectAll()
    .where('name', '=', CURSOR_NAME)
    .executeTakeFirst()
  if (row) return row
  // Without a start block: the next block, with the opening balance at the current one, so a
  // transfer into the hot wallet in the current block is in the opening balance, not missed.
  const start = ctx.config.chain?.startBlock ?? latest + 1n
  let opening = 0n
  if (start > 0n) {
    const b = await watch.balances(start - 1n)
    opening = b.depositUsdcMicros + (b.hotWallet && b.hotWallet !== b.depositAddress ? b.hotUsdcMicros : 0n)
  }
  await ctx.store.db
    .insertInto('chain_cursors')
    .values({
      name: CURSOR_NAME,
      next_block: start,
      opening_micros: opening,
      updated_at: iso(ctx.clock.now()),
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  return ctx.store.db
    .selectFrom('chain_cursors')
    .selectAll()
    .where('name', '=', CURSOR_NAME)
    .executeTakeFirstOrThrow()
}

/** Records the transfers of one range: from a bound wallet → a deposit; otherwise, once confirmed, unattributed. */
async function recordRange(ctx: Ctx, tx: Tx, transfers: ObservedTransfer[], safeTip: bigint) {
  if (transfers.length === 0) return
  const froms = [...new Set(transfers.map((t) => t.from))]
  const agents = await tx
    .selectFrom('agents')
    .select(['id', 'wallet_address'])
    .where('wallet_address', 'in', froms)
    .execute()
  const owner = new Map(agents.map((a) => [a.wallet_address!, a.id]))
  for (const t of transfers) {
    const agentId = owner.get(t.from)
    if (agentId) {
      await recordDeposit(ctx, tx, {
        id: newId('dep'),
        agentId,
        chain: DEPOSIT_CHAIN,
        txHash: t.txHash.toLowerCase(),
        logIndex: t.logIndex,
        amountMicros: t.amountMicros,
        status: t.blockNumber <= safeTip ? 'CONFIRMED' : 'PENDING_CONFIRMATION',
        blockNumber: t.blockNumber,
        blockHash: t.blockHash,
        from: t.from,
      })
    } else if (t.blockNumber <= safeTip) {
      // Kept for staff only once confirmed: the unconfirmed tail is read again on the next run,
      // and a transfer a reorg takes away never shows up as money received.
      await tx
        .insertInto('unattributed_transfers')
        .values({
          chain: DEPOSIT_CHAIN,
          tx_hash: t.txHash.toLowerCase(),
          log_index: BigInt(t.logIndex),
          from_address: t.from,
          amount_micros: t.amountMicros,
          block_number: t.blockNumber,
          block_hash: t.blockHash,
          seen_at: iso(ctx.clock.now()),
        })
        .onConflict((oc) => oc.columns(['chain', 'tx_hash', 'log_index']).doNothing())
        .execute()
    }
  }
}

/**
 * Reads Transfer logs into the deposit address from the cursor on, a bounded range per call.
 * Each range's records and the cursor's move are one transaction (compare-and-set on the cursor),
 * so a crash mid-way loses nothing and doubles nothing. The cursor never passes the last block
 * with enough confirmations: the unconfirmed tail is read again on every run.
 */
export async function scanDeposits(ctx: Ctx, watch: ChainWatch): Promise<void> {
  const chain = ctx.config.chain!
  const latest = await watch.latestBlock()
  const safeTip = latest - BigInt(chain.confirmations) + 1n
  let from = (await loadCursor(ctx, watch, latest)).next_block
  for (let i = 0; i < RANGES_PER_RUN && from <= latest; i++) {
    const to = min(from + BigInt(chain.scanBlocks) - 1n, latest)
    const transfers = await watch.transfersTo(from, to)
    // Past the last confirmed block the range is the unconfirmed tail: the cursor stops before it.
    const next = min(to + 1n, max(from, safeTip + 1n))
    const moved = await withTx(ctx.store, async (tx) => {
      await recordRange(ctx, tx, transfers, safeTip)
      faultPoint(ctx.config, 'watch.recorded')
      const r = await tx
        .updateTable('chain_cursors')
        .set({ next_block: next, updated_at: iso(ctx.clock.now()) })
        .where('name', '=', CURSOR_NAME)
        .where('next_block', '=', from)
        .executeTakeFirst()
      if (r.numUpdatedRows === 0n) throw new Error('cursor moved by another watcher')
      return true
    }).catch((err: Error) => {
      if (err.message === 'cursor moved by another watcher') return false
      throw err
    })
    faultPoint(ctx.config, 'watch.range')
    if (!moved || next <= to) return
    from = next
  }
}

/** Looks every pending deposit up again: confirmed → credited; gone or in another block → REORGED. */
export async function recheckPending(ctx: Ctx, watch: ChainWatch): Promise<void> {
  const pending = await ctx.store.db
    .selectFrom('deposits')
    .selectAll()
    .where('status', '=', 'PENDING_CONFIRMATION')
    .orderBy('created_at')
    .limit(RECHECK_BATCH)
    .execute()
  for (const d of pending) {
    let found: Awaited<ReturnType<ChainWatch['recheckDeposit']>>
    try {
      found = await watch.recheckDeposit(d.tx_hash, d.from_address ?? '')
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      found = null // the receipt changed and no longer matches
    }
    const same = found?.blockHash === d.block_hash
    const transfer = found?.transfers.find((t) => BigInt(t.logIndex) === d.log_index)
    if (!found || !same || !transfer || transfer.amountMicros !== d.amount_micros) {
      await withTx(ctx.store, (tx) => settlePendingDeposit(ctx, tx, d, 'REORGED'))
      ctx.log.warn(
        { deposit: d.id, tx: d.tx_hash },
        'deposit receipt disappeared or changed before confirmation: not credited',
      )
    } else if (found.status === 'CONFIRMED') {
      await withTx(ctx.store, (tx) => settlePendingDeposit(ctx, tx, d, 'CONFIRMED'))
    }
  }
}

/**
 * Job `chain.watch`: follows the deposit address and settles pending deposits, then queues its
 * next run after HUMCLI_CHAIN_POLL_MS. A failed run (the node down) is logged and tried again
 * at the next poll; the job never fails, so the chain of runs never stops.
 */
export async function watchDeposits(ctx: Ctx): Promise<void> {
  const watch = ctx.chain.watch
  if (!watch || !ctx.config.chain) return
  try {
    await scanDeposits(ctx, watch)
    await recheckPending(ctx, watch)
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'deposit watcher run failed; retrying at the next poll')
  }
  const now = ctx.clock.now()
  await withTx(ctx.store, (tx) =>
    enqueueJob(tx, { kind: 'chain.watch', payload: {}, runAt: addMs(now, ctx.config.chain!.pollMs), now }),
  )
}
