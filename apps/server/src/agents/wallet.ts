import { randomUUID } from 'node:crypto'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { addressProblem, checksumAddress, recoverPersonalSigner } from '../domain/evm.ts'
import { isUniqueViolation, withTx } from '../store/tx.ts'
import { loadAgent } from './load.ts'

/** The one chain deposits and wallets live on (spec §4). */
export const DEPOSIT_CHAIN = 'base'

const NEW_CHALLENGE = 'request a new one with POST /api/v1/agents/wallet/challenge and sign its message'

/** The compat challenge text: five lines, signed as is with `personal_sign`. */
export function challengeMessage(agentId: string, nonce: string, issuedAt: string): string {
  return [
    'HumCLI deposit wallet verification',
    `agent_id: ${agentId}`,
    `chain: ${DEPOSIT_CHAIN}`,
    `nonce: ${nonce}`,
    `issued_at: ${issuedAt}`,
  ].join('\n')
}

/** `POST /agents/wallet/challenge`: a single-use message for the agent's wallet to sign. */
export async function createWalletChallenge(ctx: Ctx, agentId: string) {
  const now = ctx.clock.now()
  const nonce = randomUUID()
  const issuedAt = iso(now)
  const expiresAt = iso(new Date(now.getTime() + ctx.config.walletChallengeTtlMs))
  const message = challengeMessage(agentId, nonce, issuedAt)
  await ctx.store.db
    .insertInto('wallet_challenges')
    .values({ nonce, agent_id: agentId, message, issued_at: issuedAt, expires_at: expiresAt, used_at: null })
    .execute()
  return { chain: DEPOSIT_CHAIN, nonce, issued_at: issuedAt, expires_at: expiresAt, message }
}

export interface BindWalletInput {
  wallet_address: string
  signature: string
  nonce: string
}

const invalidChallenge = (ctx: Ctx) =>
  invalid(
    'nonce',
    `Invalid or expired challenge: a challenge works once, within ${Math.round(ctx.config.walletChallengeTtlMs / 60_000)} ` +
      `minutes of being issued, for the agent that requested it; ${NEW_CHALLENGE}.`,
  )

/**
 * `PUT /agents/wallet`: binds the wallet that signed one of this agent's live challenges. Deposits
 * are then credited only for transfers from this wallet. The challenge is used up only when the
 * binding succeeds; a wallet belongs to at most one agent.
 */
export async function bindWallet(ctx: Ctx, agentId: string, input: BindWalletInput) {
  const problem = addressProblem(input.wallet_address)
  if (problem) throw invalid('wallet_address', `\`wallet_address\` ${problem}.`)
  const wallet = checksumAddress(input.wallet_address)
  const now = ctx.clock.now()
  const challenge = await ctx.store.db
    .selectFrom('wallet_challenges')
    .select(['message', 'expires_at', 'used_at'])
    .where('nonce', '=', input.nonce)
    .where('agent_id', '=', agentId)
    .executeTakeFirst()
  if (!challenge || challenge.used_at || new Date(challenge.expires_at).getTime() <= now.getTime()) {
    throw invalidChallenge(ctx)
  }
  // Recovering the signer costs about a millisecond of CPU: done before the transaction.
  const signer = recoverPersonalSigner(challenge.message, input.signature)
  if (signer === null) {
    throw invalid(
      'signature',
      '`signature` is not a valid EIP-191 signature: send the 65-byte hex string (0x + 130 hex digits) ' +
        'that personal_sign returns for the challenge message.',
    )
  }
  if (signer !== wallet) {
    throw invalid(
      'signature',
      `The signature was made by ${signer}, not by ${wallet}: sign the challenge message, unchanged, ` +
        'with the wallet you are binding.',
    )
  }
  try {
    return await withTx(ctx.store, async (tx) => {
      const used = await tx
        .updateTable('wallet_challenges')
        .set({ used_at: iso(now) })
        .where('nonce', '=', input.nonce)
        .where('agent_id', '=', agentId)
        .where('used_at', 'is', null)
        .executeTakeFirst()
      if (used.numUpdatedRows === 0n) throw invalidChallenge(ctx)
      await loadAgent(tx, agentId)
      await tx.updateTable('agents').set({ wallet_address: wallet }).where('id', '=', agentId).execute()
      return { agent_id: agentId, chain: DEPOSIT_CHAIN, wallet_address: wallet, bound_at: iso(now) }
    })
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new DomainError(
        'CONFLICT',
        'This wallet is already bound to another agent: each wallet can fund one agent; bind a different wallet.',
      )
    }
    throw err
  }
}

/** `GET /agents/deposit-address`: where to send USDC, once the server publishes an address. */
export function depositAddress(ctx: Ctx) {
  if (!ctx.config.depositAddress) {
    throw new DomainError(
      'UNAVAILABLE',
      'This server has no deposit address: on-chain deposits are not set up here. The operator of the ' +
        'server can set HUMCLI_DEPOSIT_ADDRESS, or fund your account with `humcli admin credit`.',
    )
  }
  return {
    chain: DEPOSIT_CHAIN,
    token: 'USDC',
    token_contract: ctx.config.usdcContract,
    address: ctx.config.depositAddress,
    // The RPC URL is not published: a provider's URL often carries its API key. The agent sends
    // from its own node (`humcli deposit --rpc-url`, HUMCLI_RPC_URL), checked against this id.
    chain_id: ctx.config.chain?.chainId ?? null,
    confirmations: ctx.config.chain?.confirmations ?? null,
  }
}
