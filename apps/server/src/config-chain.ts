import fs from 'node:fs'
import { ConfigError, type Env, int } from './config-read.ts'
import { parsePrivateKey } from './domain/private-key.ts'

/**
 * The settings of a real EVM chain (ADR 0018): read only when HUMCLI_CHAIN_RPC_URL is set;
 * without it the development chain (or, in production, none) is used and no node is needed.
 * Base and Base Sepolia are presets chosen by the chain id; any other EVM chain works when its
 * USDC contract is given.
 */
export interface ChainConfig {
  /** JSON-RPC over http(s) of a node of the chain. */
  rpcUrl: string
  chainId: number
  /** A deposit or payout counts once its block has this many confirmations (its own block = 1). */
  confirmations: number
  /** How often the watcher follows new blocks and pending payouts are looked up again. */
  pollMs: number
  /** Most blocks one `eth_getLogs` call asks for. */
  scanBlocks: number
  /** First block the watcher reads on a new database; null = the latest block when it first runs. */
  startBlock: bigint | null
  /** Where the hot wallet's private key is: a file, or the name of an environment variable. */
  payoutKeyFile: string | null
  payoutKeyEnv: string | null
  /** A payout whose max fee per gas would be above this (wei) waits instead of being sent. */
  maxFeePerGasWei: bigint
  /** A payout waiting for funds or a lower gas price is tried again after this long. */
  payoutRetryMs: number
}

interface Preset {
  name: string
  usdc: string | null
  confirmations: number
}

/** Chains with known defaults: Circle's USDC contracts and a finality margin. */
export const CHAIN_PRESETS: Record<number, Preset> = {
  8453: { name: 'Base', usdc: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', confirmations: 12 },
  84532: { name: 'Base Sepolia', usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e', confirmations: 3 },
}

const GWEI = 1_000_000_000n

/** HUMCLI_CHAIN_* settings, or null when HUMCLI_CHAIN_RPC_URL is not set. */
export function chainConfig(env: Env): ChainConfig | null {
  const rpcUrl = env.HUMCLI_CHAIN_RPC_URL
  if (!rpcUrl) {
    const key = env.HUMCLI_PAYOUT_KEY_FILE
      ? 'HUMCLI_PAYOUT_KEY_FILE (--payout-key-file)'
      : env.HUMCLI_PAYOUT_KEY_ENV
        ? 'HUMCLI_PAYOUT_KEY_ENV'
        : null
    if (key) {
      throw new ConfigError(
        `${key} is set but HUMCLI_CHAIN_RPC_URL is not: payouts on chain need a node; set HUMCLI_CHAIN_RPC_URL (and HUMCLI_CHAIN_ID) or drop the key setting.`,
      )
    }
    return null
  }
  if (!/^https?:\/\/[^/]/.test(rpcUrl)) {
    throw new ConfigError(
      `HUMCLI_CHAIN_RPC_URL must be an http(s) URL of a JSON-RPC node such as https://mainnet.base.org, got "${rpcUrl}".`,
    )
  }
  const chainId = int(env, 'HUMCLI_CHAIN_ID', 8453, 1)
  const start = env.HUMCLI_CHAIN_START_BLOCK
  if (start && !/^\d+$/.test(start)) {
    throw new ConfigError(`HUMCLI_CHAIN_START_BLOCK must be a block number, got "${start}".`)
  }
  if (env.HUMCLI_PAYOUT_KEY_FILE && env.HUMCLI_PAYOUT_KEY_ENV) {
    throw new ConfigError(
      'HUMCLI_PAYOUT_KEY_FILE and HUMCLI_PAYOUT_KEY_ENV are both set: give the hot wallet key one way only.',
    )
  }
  return {
    rpcUrl,
    chainId,
    confirmations: int(env, 'HUMCLI_CHAIN_CONFIRMATIONS', CHAIN_PRESETS[chainId]?.confirmations ?? 12, 1),
    pollMs: int(env, 'HUMCLI_CHAIN_POLL_MS', 5_000, 10),
    scanBlocks: int(env, 'HUMCLI_CHAIN_SCAN_BLOCKS', 2_000, 1),
    startBlock: start ? BigInt(start) : null,
    payoutKeyFile: env.HUMCLI_PAYOUT_KEY_FILE || null,
    payoutKeyEnv: env.HUMCLI_PAYOUT_KEY_ENV || null,
    maxFeePerGasWei: BigInt(int(env, 'HUMCLI_CHAIN_MAX_FEE_GWEI', 5, 0)) * GWEI,
    payoutRetryMs: int(env, 'HUMCLI_PAYOUT_RETRY_MS', 60_000, 10),
  }
}

/** The USDC contract of a preset chain, or null for a chain without a preset. */
export const presetUsdc = (chainId: number | undefined) =>
  chainId === undefined ? null : (CHAIN_PRESETS[chainId]?.usdc ?? null)

/**
 * The hot wallet's private key, read when payouts start, never kept in `Config` (so it cannot end
 * up in a log of the config) and never quoted in an error. Null when no key is configured.
 */
export function readPayoutKey(chain: ChainConfig, env: Env = process.env): `0x${string}` | null {
  let raw: string | undefined
  let from: string
  if (chain.payoutKeyFile) {
    from = `the file HUMCLI_PAYOUT_KEY_FILE names (${chain.payoutKeyFile})`
    try {
      raw = fs.readFileSync(chain.payoutKeyFile, 'utf8')
    } catch (err) {
      throw new ConfigError(
        `HUMCLI_PAYOUT_KEY_FILE (${chain.payoutKeyFile}) cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): point it at a file holding the hot wallet's private key.`,
      )
    }
  } else if (chain.payoutKeyEnv) {
    from = `the environment variable ${chain.payoutKeyEnv} (named by HUMCLI_PAYOUT_KEY_ENV)`
    raw = env[chain.payoutKeyEnv]
    if (!raw) throw new ConfigError(`HUMCLI_PAYOUT_KEY_ENV names ${chain.payoutKeyEnv}, which is not set.`)
  } else {
    return null
  }
  const key = parsePrivateKey(raw)
  if (!key) {
    throw new ConfigError(
      `The hot wallet key in ${from} must be 32 bytes in hex (64 hex digits, 0x optional).`,
    )
  }
  return key
}
