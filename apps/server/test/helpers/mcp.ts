import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { HUMCLI_BIN, humcliEnv } from './harness.ts'

export interface ToolAnswer {
  isError: boolean
  /** The result's text parsed as JSON (every humcli tool answers JSON). */
  json: any
  text: string
}

export interface McpConnection {
  client: Client
  /** Calls a tool and parses its JSON text. */
  call(name: string, args?: Record<string, unknown>, opts?: { timeoutMs?: number }): Promise<ToolAnswer>
  stderr(): string
  /** How the `humcli mcp` process ended: code 0 and no signal when it stopped by itself. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Ends the server's stdin, as a client does when it goes away, without killing anything. */
  endInput(): void
  close(): Promise<void>
}

/**
 * Spawns `node bin/humcli.js mcp` (or `spawnAs`, e.g. the @humcli/mcp package's bin) with only the given environment and connects the MCP SDK's own
 * client to it over stdio — the way Claude Desktop and other MCP clients run it.
 */
export async function connectMcp(
  env: Record<string, string>,
  spawnAs: { command: string; args: string[]; cwd?: string } = {
    command: process.execPath,
    args: [HUMCLI_BIN, 'mcp'],
  },
): Promise<McpConnection> {
  const transport = new StdioClientTransport({
    ...spawnAs,
    env: humcliEnv(env),
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (d) => {
    stderr += d
  })
  const client = new Client({ name: 'humcli-test', version: '0.0.0' })
  await client.connect(transport)
  // The transport keeps its child private; watch it to tell a clean exit from a kill on close.
  const child = (transport as unknown as { _process: ChildProcess })._process
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode })
    } else child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  return {
    exited,
    endInput: () => child.stdin?.end(),
    client,
    async call(name, args = {}, opts = {}) {
      const r = await client.callTool({ name, arguments: args }, undefined, {
        timeout: opts.timeoutMs ?? 60_000,
      })
      const content = r.content as Array<{ type: string; text?: string }>
      assert.equal(content.length, 1, `one content block from ${name}`)
      assert.equal(content[0]!.type, 'text')
      const text = content[0]!.text!
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      return { isError: r.isError === true, json, text }
    },
    stderr: () => stderr,
    close: () => client.close(),
  }
}
