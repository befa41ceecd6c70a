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
        'Returns the chain (Base), the token (USDC) with its contract, and the address to send it to. Only ' +
        "USDC sent from the agent's own bound wallet is credited (the user binds it once, with a signature " +
        'from that wallet). After sending, call report_deposit with the transaction hash. Answers UNAVAILABLE ' +
        "while the server's operator has not set a deposit address. Read-only.",
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
        'credited; PENDING_CONFIRMATION means the chain has not confirmed it yet (report again later). On a ' +
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
}
