import type { Ctx } from '../context.ts'

/**
 * Crash tests (development only, HUMCLI_FAULT_POINT): the process kills itself, at once and
 * without cleanup, at the named step, as a power cut or an OOM kill would.
 */
export function crashAt(ctx: Ctx, point: string): void {
  if (ctx.config.faultPoint === point) process.kill(process.pid, 'SIGKILL')
}
