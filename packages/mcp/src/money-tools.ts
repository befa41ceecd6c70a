import { randomBytes } from 'node:crypto'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { defineTool } from './define-tool.ts'
import { ok } from './results.ts'
import type { Session } from './session.ts'

/** Funding the account: where to send USDC, and reporting a transfer. */
export function registerMoneyTools(server: McpServer, session: Session): void {
  defineTool(
    server,
    session,
    'get_deposit_address',
    {
      title: 'Where to send USDC to fund the account',
      description:
        'Returns the chain (Base), the token (USDC) with its contract, the address to send it to, the EVM ' +
        'chain_id to send on (null on a development server, which reads no chain) and the confirmations a ' +
        "transfer needs before it is credited. Only USDC sent from the agent's own bound wallet is credited " +
        '(the user binds it once, with a signature from that wallet, e.g. `humcli wallet bind ' +
        '--private-key-file F`). After sending, call report_deposit with the transaction hash, then ' +
        'get_deposit_status until CONFIRMED. Answers UNAVAILABLE while the server has no deposit address. Read-only.',
      inputSchema: {},
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (_args, { signal }) => ok(await session.client().wallet.depositAddress({ signal })),
  )

  defineTool(
    server,
    session,
    'report_deposit',
    {
      title: 'Report a USDC deposit',
      description:
        'Reports a USDC transfer on Base to the deposit address so it is credited to the deposit balance: ' +
        'the amount credited is what the chain says, once, whoever reports it. Status CONFIRMED means ' +
        'credited; PENDING_CONFIRMATION means the chain has not confirmed it yet: the server credits it by ' +
        'itself once confirmed (follow it with get_deposit_status; no need to report again). On a ' +
        'development server deposits confirm at once and tx_hash may be left out (a random one is used). ' +
        'Deposits totalling $50 make a VERIFIED agent STANDARD. Safe to repeat with the same tx_hash.',
      inputSchema: {
        tx_hash: z
          .string()
          .regex(/^0x[0-9a-fA-F]{64}$/)
          .optional()
          .describe('The transfer transaction hash, 0x + 64 hex digits (development: optional).'),
        amount_usdc: z
          .number()
          .positive()
          .optional()
          .describe('The amount sent, in USDC (development servers credit this amount).'),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    },
    async (args, { signal }) => {
      const txHash = args.tx_hash ?? `0x${randomBytes(32).toString('hex')}`
      const input = {
        tx_hash: txHash,
        ...(args.amount_usdc === undefined ? {} : { amount_usdc: args.amount_usdc }),
      }
      return ok(await session.client().deposit(input, { signal }))
    },
  )

  defineTool(
    server,
    session,
    'get_deposit_status',
    {
      title: 'Whether a USDC deposit is credited yet',
      description:
        "The agent's deposits from one transaction: CONFIRMED (credited to the deposit balance), " +
        'PENDING_CONFIRMATION (mined, waiting for its confirmations; credited by itself), or REORGED (the ' +
        'chain dropped it; never credited unless it is mined again). NOT_FOUND until report_deposit or the ' +
        "server's watcher has seen the transaction (a transfer from the bound wallet is seen by itself " +
        'within a few blocks). Read-only; poll it every few seconds while waiting.',
      inputSchema: {
        tx_hash: z
          .string()
          .regex(/^0x[0-9a-fA-F]{64}$/)
          .describe('The transfer transaction hash, 0x + 64 hex digits.'),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, { signal }) => ok(await session.client().deposits.get(args.tx_hash, { signal })),
  )
}
