import { microsToUsd } from '../domain/money.ts'
import type { PayoutPreflight } from './chain.ts'

/** The ERC-20 calls the EVM chain port makes (viem types them from this). */
export const USDC_ABI = [
  {
    type: 'function',
    name: 'balanceOf',
    stateMutability: 'view',
    inputs: [{ name: 'owner', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'decimals',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint8' }],
  },
] as const

const word = (hex: string) => hex.replace(/^0x/, '').padStart(64, '0')

/** Calldata of `transfer(to, amount)`: selector 0xa9059cbb, then the two 32-byte words. */
export function transferData(to: string, amount: bigint): `0x${string}` {
  return `0xa9059cbb${word(to.toLowerCase())}${word(amount.toString(16))}`
}

const gwei = (wei: bigint) => `${Number(wei) / 1e9} gwei`
const eth = (wei: bigint) => `${Number(wei) / 1e18} ETH`

/** Why a payout waits, in a sentence for the staff log and the payout row. */
export function describeShortfall(
  short: 'usdc' | 'gas' | 'gas_price',
  have: bigint,
  need: bigint,
): Extract<PayoutPreflight, { kind: 'wait' }> {
  const reason =
    short === 'usdc'
      ? `the hot wallet holds $${microsToUsd(have)} USDC, less than the $${microsToUsd(need)} to send: fund it with USDC`
      : short === 'gas'
        ? `the hot wallet holds ${eth(have)}, less than the ${eth(need)} of gas this transfer may cost: fund it with ETH`
        : `the network asks up to ${gwei(have)} per gas, above HUMCLI_CHAIN_MAX_FEE_GWEI (${gwei(need)})`
  return { kind: 'wait', reason, short }
}
