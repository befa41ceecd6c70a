import { Command } from 'commander'
import type { McpOptions } from '../mcp/session.ts'
import { DEFAULT_BASE_URL } from '../sdk/index.ts'

/**
 * The MCP server's settings from the environment. These are client settings (which server, which
 * key), not the server's `src/config.ts`; the agent commands read the same two variables.
 */
export function mcpOptionsFrom(env: Record<string, string | undefined>): McpOptions {
  const poll = Number(env.HUMCLI_MCP_POLL_MS)
  return {
    apiKey: env.HUMCLI_API_KEY?.trim() || undefined,
    baseUrl: env.HUMCLI_API_URL?.trim() || DEFAULT_BASE_URL,
    pollIntervalMs: Number.isFinite(poll) && poll > 0 ? poll : undefined,
    log: (line) => process.stderr.write(`humcli mcp: ${line}\n`),
  }
}

export function mcpCommand(): Command {
  return new Command('mcp')
    .description('Serve the humcli agent tools over MCP (stdio) for Claude Desktop and other MCP clients')
    .addHelpText(
      'after',
      `
Environment:
  HUMCLI_API_KEY      the agent's API key (ho_live_…); without it only register_agent works
  HUMCLI_API_URL      the humcli server (default ${DEFAULT_BASE_URL})
  HUMCLI_MCP_POLL_MS  first pause between polls of wait_for_task (default 2000, grows ×1.5 to 15 s)

Stdout carries the protocol; logs go to stderr. Example MCP client entry (Claude Desktop's
claude_desktop_config.json; use "command": "npx", "args": ["humcli", "mcp"] when installed):
  {"mcpServers": {"humcli": {"command": "node", "args": ["/path/to/humcli/bin/humcli.js", "mcp"],
                             "env": {"HUMCLI_API_KEY": "ho_live_…", "HUMCLI_API_URL": "${DEFAULT_BASE_URL}"}}}}`,
    )
    .action(async () => {
      // Loaded on demand: the MCP SDK and zod stay out of every other command's start-up.
      const { serveStdio } = await import('../mcp/server.ts')
      await serveStdio(mcpOptionsFrom(process.env))
    })
}
