import { HumcliError } from '@humcli/sdk'
import type { McpServer, ToolCallback } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import type {
  CallToolResult,
  ServerNotification,
  ServerRequest,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js'
import type { z } from 'zod'
import { fail } from './results.ts'
import type { Session } from './session.ts'

export interface ToolExtra {
  /** Aborted when the client cancels the call or the connection closes. */
  signal: AbortSignal
  /** Sends a progress notification when the client asked for them (a `progressToken`). */
  progress(progress: number, total: number, message: string): Promise<void>
}

export interface ToolSpec<S extends z.ZodRawShape> {
  title: string
  /** Written for a model: what it does, when to use it, what it costs. */
  description: string
  inputSchema: S
  annotations: Omit<ToolAnnotations, 'title'>
}

/**
 * Registers a tool whose failures become `isError` results (the API's sentence and code), so a
 * handler only has the happy path to write.
 */
export function defineTool<S extends z.ZodRawShape>(
  server: McpServer,
  session: Session,
  name: string,
  spec: ToolSpec<S>,
  run: (args: z.infer<z.ZodObject<S>>, extra: ToolExtra) => Promise<CallToolResult>,
): void {
  server.registerTool(
    name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.inputSchema,
      annotations: { title: spec.title, ...spec.annotations },
    },
    (async (args: z.infer<z.ZodObject<S>>, extra: RequestHandlerExtra<ServerRequest, ServerNotification>) => {
      const signal = AbortSignal.any([extra.signal, session.closing.signal])
      const token = extra._meta?.progressToken
      const progress = async (value: number, total: number, message: string) => {
        if (token === undefined) return
        await extra
          .sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: value, total, message },
          })
          .catch(() => {})
      }
      try {
        return await run(args, { signal, progress })
      } catch (err) {
        if (signal.aborted && !(err instanceof HumcliError)) {
          return fail(
            new HumcliError('The call was cancelled before it finished.', { code: 'CANCELLED' }),
            session,
          )
        }
        return fail(err, session)
      }
    }) as ToolCallback<S>,
  )
}
