#!/usr/bin/env node
// `npx @humcli/mcp`: the humcli agent tools over MCP (stdio), without installing the server.
// Settings come from the environment only (the `humcli mcp` command of the server package also
// reads ~/.config/humcli profiles): HUMCLI_API_KEY, HUMCLI_API_URL, HUMCLI_MCP_POLL_MS.
import { DEFAULT_BASE_URL } from '@humcli/sdk'
import { mcpOptions, serveStdio } from '../dist/server.js'

const env = process.env
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`humcli-mcp: serves the humcli agent tools over MCP on stdin/stdout.

Environment:
  HUMCLI_API_KEY      the agent's API key (ho_live_… or ho_test_…); without one only
                      register_agent works
  HUMCLI_API_URL      the humcli server (default ${DEFAULT_BASE_URL})
  HUMCLI_MCP_POLL_MS  first pause between polls of wait_for_task (default 2000)

Example MCP client entry:
  {"mcpServers": {"humcli": {"command": "npx", "args": ["-y", "@humcli/mcp"],
                             "env": {"HUMCLI_API_KEY": "ho_live_…", "HUMCLI_API_URL": "${DEFAULT_BASE_URL}"}}}}
`)
  process.exit(0)
}
await serveStdio(
  mcpOptions(
    {
      apiKey: env.HUMCLI_API_KEY,
      apiUrl: env.HUMCLI_API_URL ?? DEFAULT_BASE_URL,
      pollMs: env.HUMCLI_MCP_POLL_MS,
    },
    (line) => process.stderr.write(`humcli-mcp: ${line}\n`),
  ),
)
