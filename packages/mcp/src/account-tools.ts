import { Humcli } from '@humcli/sdk'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { defineTool } from './define-tool.ts'
import { ok } from './results.ts'
import type { Session } from './session.ts'

export function registerAccountTools(server: McpServer, session: Session): void {
  defineTool(
    server,
    session,
    'register_agent',
    {
      title: 'Register a humcli agent account',
      description:
        'Creates a new agent account on the humcli server and returns its API key. Use it only when no ' +
        'account is configured yet (the other tools then answer NO_API_KEY), or when the user asks for a ' +
        'new account. The key is shown ONCE: tell the user to save it (e.g. as HUMCLI_API_KEY in this MCP ' +
        "server's configuration). From then on this session acts as the new agent. New agents are " +
        'SANDBOX: their tasks are completed by simulated operators with synthetic proof, no money moves, ' +
        'and a task may be worth at most $10. Free; fails if the email is already registered.',
      inputSchema: {
        name: z
          .string()
          .min(1)
          .max(100)
          .describe('Display name of the agent, e.g. "Storefront checker bot".'),
        email: z
          .string()
          .min(3)
          .max(254)
          .describe(
            'Contact email of the agent owner; must not be registered already. Verification mail goes there.',
          ),
        company: z.string().max(200).optional().describe('Company name, optional.'),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args, { signal }) => {
      const reg = await Humcli.register(args, session.clientOptions(), { signal })
      session.adopt(reg.api_key)
      return ok({
        agent_id: reg.agent_id,
        api_key: reg.api_key,
        tier: reg.tier,
        limits: reg.sandbox_info.limits,
        verification_required: reg.verification_required,
        session:
          'This MCP session now uses this API key for every other tool. Save the key now: it will not be ' +
          'shown again. To use it in later sessions, set HUMCLI_API_KEY to it in the env of this MCP server.',
        sandbox: reg.sandbox_info.what,
        how_to_upgrade: reg.sandbox_info.how_to_upgrade,
      })
    },
  )

  defineTool(
    server,
    session,
    'get_balance',
    {
      title: 'Balance, tier and limits',
      description:
        "Shows the agent's money and limits: deposit_balance (free funds that pay for new tasks), " +
        'escrow_balance (held for open tasks), the tier (SANDBOX, VERIFIED or STANDARD) with its per-task, ' +
        "daily-task and daily-spend limits, and today's usage. Use it before create_task to check that the " +
        'reward plus fee is affordable and within the limits. Read-only.',
      inputSchema: {},
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (_args, { signal }) => {
      const me = await session.client().me({ signal })
      return ok({
        deposit_balance: me.balance.deposit_balance,
        escrow_balance: me.balance.escrow_balance,
        currency: me.balance.currency,
        agent_id: me.agent_id,
        tier: me.tier,
        limits: me.limits,
        usage_today: me.usage_today,
        email_verified: me.email_verified,
        restricted: me.restricted,
      })
    },
  )
}
