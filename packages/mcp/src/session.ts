import { type ClientOptions, Humcli, HumcliError } from '@humcli/sdk'

/** How the MCP server reaches the API. Read from the environment by `src/cli/mcp.ts`. */
export interface McpOptions {
  /** The agent's API key; without one only `register_agent` works until it provides one. */
  apiKey?: string
  /** The humcli server, e.g. http://127.0.0.1:8787 (with or without /api/v1). */
  baseUrl: string
  /** First pause between polls in `wait_for_task` (grows ×1.5 up to `maxPollIntervalMs`). */
  pollIntervalMs?: number
  maxPollIntervalMs?: number
  /** Where diagnostics go. Never stdout: that is the protocol channel. */
  log?: (line: string) => void
  /** Passed to the SDK client (tests may shorten retries). */
  client?: Omit<ClientOptions, 'apiKey' | 'baseUrl'>
}

export const USER_AGENT = 'humcli-mcp/0.1.0'

/** A key as it may appear in logs: the prefix only. */
export const keyHint = (key: string) => `${key.slice(0, 12)}…`

/**
 * The state of one MCP connection: which agent it acts as. `register_agent` may give a session
 * its key (`adopt`), so the key lives here rather than in a closure over the environment.
 */
export class Session {
  private apiKey: string | undefined
  private humcli: Humcli | undefined
  /** Aborted when the connection closes, so a pending `wait_for_task` stops polling. */
  readonly closing = new AbortController()

  constructor(readonly options: McpOptions) {
    this.apiKey = options.apiKey || undefined
  }

  get hasKey(): boolean {
    return this.apiKey !== undefined
  }

  log(line: string): void {
    this.options.log?.(line)
  }

  clientOptions(): ClientOptions {
    return { userAgent: USER_AGENT, ...this.options.client, baseUrl: this.options.baseUrl }
  }

  /** The SDK client for the session's agent; a NO_API_KEY error telling how to get one otherwise. */
  client(): Humcli {
    if (this.apiKey === undefined) {
      throw new HumcliError(
        'No API key is configured for this MCP server: set HUMCLI_API_KEY (a ho_live_… key) in the env of its ' +
          'entry in your MCP client configuration, or call register_agent to create an agent whose key this ' +
          'session then uses.',
        { code: 'NO_API_KEY' },
      )
    }
    this.humcli ??= new Humcli({ ...this.clientOptions(), apiKey: this.apiKey })
    return this.humcli
  }

  /** Uses `apiKey` for every later call of this session. */
  adopt(apiKey: string): void {
    this.apiKey = apiKey
    this.humcli = undefined
    this.log(`now acting with API key ${keyHint(apiKey)}`)
  }
}
