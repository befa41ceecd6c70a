import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Ctx } from '../context.ts'

function signature(key: Buffer, fileId: string, expires: number): string {
  return createHmac('sha256', key).update(`${fileId}.${expires}`).digest('hex')
}

/** A URL that serves one file to whoever holds it until it expires, so it works in a browser. */
export function signedFileUrl(ctx: Ctx, baseUrl: string, fileId: string): string {
  const expires = Math.floor(ctx.clock.now().getTime() / 1000) + ctx.config.fileUrlTtlS
  return `${baseUrl}/api/v1/files/${fileId}?expires=${expires}&signature=${signature(ctx.secrets.urlKey, fileId, expires)}`
}

export function checkFileSignature(
  ctx: Ctx,
  fileId: string,
  expires: number,
  sig: string,
): 'ok' | 'expired' | 'bad' {
  const expected = Buffer.from(signature(ctx.secrets.urlKey, fileId, expires), 'hex')
  const given = Buffer.from(sig, 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad'
  return expires * 1000 < ctx.clock.now().getTime() ? 'expired' : 'ok'
}
