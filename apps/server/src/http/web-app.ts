import fs from 'node:fs'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Ctx } from '../context.ts'

/**
 * The browser app (apps/web, ADR 0015) at `/`: every file from this server (no CDN), hashed
 * assets cached for a year, everything else revalidated, and a CSP that allows no inline script.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Paths the app's fallback never answers, so a typo under them stays the API's JSON 404. */
const RESERVED = /^\/(api|docs|metrics|healthz|readyz)(\/|$)/

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', WEB_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('permissions-policy', 'geolocation=(self), camera=(self)')
}

export async function registerWebApp(app: FastifyInstance, ctx: Ctx): Promise<void> {
  const root = ctx.config.webDir
  const indexFile = root ? path.join(root, 'index.html') : null
  if (!root || !indexFile || !fs.existsSync(indexFile)) {
    if (root) ctx.log.warn({ root }, 'web app not built (run `npm run build`): serving the API only')
    return
  }
  const index = fs.readFileSync(indexFile)
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders(res, file) {
      securityHeaders(res)
      const hashed = file.startsWith(path.join(root, 'assets') + path.sep)
      res.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
    },
  })
  const sendIndex = (reply: FastifyReply) => {
    return securityHeaders(reply)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(index)
  }
  // An app route (`/tasks/abc`) gets the app, which routes in the browser; a missing file or a
  // reserved path gets the usual 404.
  app.get('/*', { schema: { hide: true } }, (req, reply) => {
    const url = req.url.split('?')[0]!
    if (RESERVED.test(url) || path.extname(url) !== '') return reply.callNotFound()
    return sendIndex(reply)
  })
}
