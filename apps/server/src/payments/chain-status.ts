import { sql } from 'kysely'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { accounts } from '../ledger/accounts.ts'
import { balancesOf } from '../ledger/post.ts'
import type { ChainWatch } from './chain.ts'
import { CURSOR_NAME } from './watch-deposits.ts'

const sum = async (q: Promise<{ n: bigint | string | number | null } | undefined>) =>
  BigInt((await q)?.n ?? 0)

/** The watcher's cursor row: where it reads next, and the opening balance it found. */
export const watchCursor = (ctx: Ctx) =>
  ctx.store.db.selectFrom('chain_cursors').selectAll().where('name', '=', CURSOR_NAME).executeTakeFirst()

type Cursor = Awaited<ReturnType<typeof watchCursor>>

/** Where the watcher stands: the next block it reads and how far behind the node's latest it is (null: unknown). */
export function watcherView(cursor: Cursor, latest: bigint | null) {
  if (!cursor) return null
  return {
    next_block: cursor.next_block,
    lag_blocks: latest === null ? null : latest + 1n - cursor.next_block,
    updated_at: cursor.updated_at,
  }
}

/**
 * The cheap part of the chain status (the console's health page shows it): the node's latest
 * block, the two addresses' balances there, and the watcher's cursor. Three RPC calls and one
 * row, whatever the size of the ledger.
 */
export async function chainSnapshot(ctx: Ctx, watch: ChainWatch) {
  const latest = await watch.latestBlock()
  const balances = await watch.balances(latest)
  const cursor = await watchCursor(ctx)
  return { latest, balances, cursor }
}

/**
 * `humcli admin chain-status`: the hot wallet's USDC and gas, the deposit address's USDC, the
 * watcher's cursor and lag, and a reconciliation of the USDC the two addresses hold on chain
 * against the ledger:
 *
 *   expected = opening balance (when the watcher started)
 *            − balance of `external:chain` (credited deposits in, confirmed payouts' net out)
 *            + unattributed transfers (received, credited to no one)
 *            + transfers in flight: deposits still PENDING_CONFIRMATION and transfers in blocks
 *              the watcher has not read yet, less payouts mined but not settled yet
 *
 * `difference` = on chain − expected; anything but 0 is a problem (exit 1 in the CLI). USDC sent
 * to the hot wallet from outside after the watcher started shows as a difference: fund it through
 * the deposit address, or from the start (ADR 0018).
 */
export async function chainStatus(ctx: Ctx) {
  const watch = ctx.chain.watch
  if (!watch || !ctx.config.chain) {
    throw new DomainError(
      'INVALID_STATE',
      `This server uses the ${ctx.chain.name === 'dev' ? 'development' : 'no'} chain: set HUMCLI_CHAIN_RPC_URL to follow a real one.`,
    )
  }
  const db = ctx.store.db
  const { latest, balances: b, cursor } = await chainSnapshot(ctx, watch)
  const onChain =
    b.depositUsdcMicros + (b.hotWallet && b.hotWallet !== b.depositAddress ? b.hotUsdcMicros : 0n)
  const externalChain = (await balancesOf(db, [accounts.externalChain])).get(accounts.externalChain) ?? 0n
  const unattributed = await sum(
    db
      .selectFrom('unattributed_transfers')
      .select(sql<string>`sum(amount_micros)`.as('n'))
      .executeTakeFirst(),
  )
  const pendingDeposits = await sum(
    db
      .selectFrom('deposits')
      .select(sql<string>`sum(amount_micros)`.as('n'))
      .where('status', '=', 'PENDING_CONFIRMATION')
      .executeTakeFirst(),
  )
  // Transfers the watcher has not read yet, less those recorded already (pending, or credited by a report).
  let unread = 0n
  if (cursor && cursor.next_block <= latest) {
    const tail = await watch.transfersTo(cursor.next_block, latest)
    for (const t of tail) {
      const known = await db
        .selectFrom('deposits')
        .select('id')
        .where('tx_hash', '=', t.txHash.toLowerCase())
        .where('log_index', '=', BigInt(t.logIndex))
        .where('status', '!=', 'REORGED')
        .executeTakeFirst()
      if (!known) unread += t.amountMicros
    }
  }
  // Payouts whose transfer is mined while the payout still waits for its confirmations.
  let minedUnsettled = 0n
  const inFlight = await db
    .selectFrom('payouts')
    .select(['tx_hash', 'nonce', 'net_micros'])
    .where('status', '=', 'PENDING_ONCHAIN')
    .where('broadcast_at', 'is not', null)
    .execute()
  for (const p of inFlight) {
    const look = await ctx.chain.lookupPayout({ txHash: p.tx_hash!, nonce: p.nonce! })
    if (look.state === 'confirmed' || look.state === 'confirming') minedUnsettled += p.net_micros
  }
  const opening = cursor?.opening_micros ?? 0n
  const expected = opening - externalChain + unattributed + pendingDeposits + unread - minedUnsettled
  return {
    chain_id: ctx.config.chain.chainId,
    block_number: latest,
    deposit_address: b.depositAddress,
    deposit_usdc_micros: b.depositUsdcMicros,
    hot_wallet: b.hotWallet,
    hot_usdc_micros: b.hotUsdcMicros,
    hot_gas_wei: b.hotGasWei,
    watcher: watcherView(cursor, latest),
    reconciliation: {
      on_chain_micros: onChain,
      opening_micros: opening,
      ledger_external_chain_micros: externalChain,
      unattributed_micros: unattributed,
      pending_deposits_micros: pendingDeposits,
      unread_micros: unread,
      mined_unsettled_payouts_micros: minedUnsettled,
      expected_micros: expected,
      difference_micros: onChain - expected,
      ok: onChain === expected,
    },
  }
}
