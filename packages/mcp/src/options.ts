import type { McpOptions } from './session.ts'

/** The MCP server's settings as text, from the environment or a CLI profile. */
export interface McpSettings {
  apiKey?: string | null | undefined
  apiUrl: string
  /** HUMCLI_MCP_POLL_MS: the first pause between polls of wait_for_task, in milliseconds. */
  pollMs?: string | undefined
}

/**
 * Options from settings given as text, read the same way by `npx @humcli/mcp` (environment only)
 * and `humcli mcp` (environment, then profile): values trimmed, an empty key is no key, a poll
 * interval that is not a positive number is left to the default.
 */
export function mcpOptions(settings: McpSettings, log: (line: string) => void): McpOptions {
  const poll = Number(settings.pollMs)
  return {
    apiKey: settings.apiKey?.trim() || undefined,
    baseUrl: settings.apiUrl.trim(),
    pollIntervalMs: Number.isFinite(poll) && poll > 0 ? poll : undefined,
    log,
  }
}
