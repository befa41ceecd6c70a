import type { McpOptions } from '@humcli/mcp'
import { DEFAULT_BASE_URL } from '@humcli/sdk'
import type { Command } from 'commander'
import { cliEnv } from './client.ts'
import { clientSettings } from './client-config.ts'
import { cliCommand } from './command.ts'

/**
 * The MCP server's settings: client settings (which server, which key), resolved exactly as the
 * agent commands resolve them — `HUMCLI_API_KEY` / `HUMCLI_API_URL` first, then the profile in
 * `~/.config/humcli/config.json` — never the server's `src/config.ts`.
 */
export async function mcpOptionsFrom(
  env: Record<string, string | undefined>,
  profile?: string,
): Promise<McpOptions> {
  // Loaded on demand: the MCP SDK and zod stay out of every other command's start-up.
  const { mcpOptions } = await import('@humcli/mcp')
  const settings = clientSettings(env, profile)
  return mcpOptions(
    { apiKey: settings.apiKey, apiUrl: settings.apiUrl, pollMs: env.HUMCLI_MCP_POLL_MS },
    (line) => process.stderr.write(`humcli mcp: ${line}\n`),
  )
}

export function mcpCommand(): Command {
  return cliCommand('mcp')
    .description('Serve the humcli agent tools over MCP (stdio) for Claude Desktop and other MCP clients')
    .addHelpText(
      'after',
      `
Environment:
  HUMCLI_API_KEY      the agent's API key (ho_live_…); else the profile's key; without one only
                      register_agent works
  HUMCLI_API_URL      the humcli server (else the profile's; default ${DEFAULT_BASE_URL})
  HUMCLI_MCP_POLL_MS  first pause between polls of wait_for_task (default 2000, grows ×1.5 to 15 s)

Stdout carries the protocol; logs go to stderr. Example MCP client entry (Claude Desktop's
claude_desktop_config.json; use "command": "npx", "args": ["humcli", "mcp"] when installed):
  {"mcpServers": {"humcli": {"command": "node", "args": ["/path/to/humcli/bin/humcli.js", "mcp"],
                             "env": {"HUMCLI_API_KEY": "ho_live_…", "HUMCLI_API_URL": "${DEFAULT_BASE_URL}"}}}}`,
    )
    .option('--profile <name>', 'use this profile from ~/.config/humcli/config.json (default: "default")')
    .action(async (flags: { profile?: string }) => {
      const { serveStdio } = await import('@humcli/mcp')
      await serveStdio(await mcpOptionsFrom(cliEnv(), flags.profile))
    })
}
