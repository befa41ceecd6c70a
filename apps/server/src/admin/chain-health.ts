import type { Ctx } from '../context.ts'
import { microsToUsd } from '../domain/money.ts'
import { chainSnapshot, watchCursor, watcherView } from '../payments/chain-status.ts'

/** A node slower than this is shown as unreachable: the health page must answer quickly. */
const RPC_BUDGET_MS = 3_000

const num = (n: bigint | null | undefined) => (n === null || n === undefined ? null : Number(n))

function withinBudget<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${RPC_BUDGET_MS / 1000} s`)), RPC_BUDGET_MS)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

/**
 * The chain part of `GET /admin/health`: the hot wallet's USDC and gas, the deposit address's
 * USDC, the watcher's cursor and lag (`chainSnapshot`, as `humcli admin chain-status` reads them,
 * without its reconciliation, which reads the ledger). A node that is down or slow makes it
 * `rpc: 'unreachable'` with the cursor still shown, never a failed page. Null on the development chain.
 */
export async function chainHealth(ctx: Ctx) {
  const watch = ctx.chain.watch
  const chain = ctx.config.chain
  if (!watch || !chain) return null
  const base = { chain_id: chain.chainId, deposit_address: ctx.config.depositAddress ?? '' }
  try {
    const { latest, balances: b, cursor } = await withinBudget(chainSnapshot(ctx, watch))
    const w = watcherView(cursor, latest)
    return {
      ...base,
      rpc: 'ok' as const,
      rpc_error: null,
      block_number: Number(latest),
      hot_wallet: b.hotWallet,
      hot_usdc: b.hotWallet ? microsToUsd(b.hotUsdcMicros) : null,
      hot_gas_wei: b.hotWallet ? b.hotGasWei.toString() : null,
      deposit_usdc: microsToUsd(b.depositUsdcMicros),
      watcher: w && { ...w, next_block: Number(w.next_block), lag_blocks: num(w.lag_blocks) },
    }
  } catch (err) {
    // viem's short message names the failure, not the URL (whose path may carry a provider's key).
    const why = (err as { shortMessage?: string }).shortMessage ?? (err as Error).message
    ctx.log.warn({ err: why }, 'health: the chain node is unreachable')
    const w = watcherView(await watchCursor(ctx), null)
    return {
      ...base,
      hot_wallet: ctx.chain.sender === 'none' ? null : ctx.chain.sender,
      rpc: 'unreachable' as const,
      rpc_error: why.slice(0, 200),
      block_number: null,
      hot_usdc: null,
      hot_gas_wei: null,
      deposit_usdc: null,
      watcher: w && { ...w, next_block: Number(w.next_block), lag_blocks: null },
    }
  }
}
