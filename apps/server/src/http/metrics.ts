import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { CONTENT_TYPE } from '../metrics/exposition.ts'
import { HttpMetrics } from '../metrics/http-metrics.ts'
import { ProcessMetrics } from '../metrics/process-metrics.ts'
import { readStoreGauges } from '../metrics/read-store-gauges.ts'

const digest = (s: string) => createHash('sha256').update(s).digest()

/** Bearer token check in constant time (the token itself is never compared byte by byte). */
function checkToken(expected: string, header: string | undefined, reply: FastifyReply): void {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1]
  if (given && timingSafeEqual(digest(given), digest(expected))) return
  reply.header('www-authenticate', 'Bearer realm="metrics"')
  throw new DomainError(
    'UNAUTHORIZED',
    'Metrics need the scrape token: send `Authorization: Bearer <HUMCLI_METRICS_TOKEN>`.',
  )
}

/**
 * Prometheus metrics at `/metrics`: HTTP counts and durations of this process (one onResponse
 * hook: a counter increment and a histogram bucket), deployment-wide gauges read from the
 * database when scraped, and process figures. Guarded by `HUMCLI_METRICS_TOKEN` when set.
 * Call before routes are added, so that every route is counted.
 */
export function installMetrics(app: FastifyInstance, ctx: Ctx): void {
  const http = new HttpMetrics()
  const proc = new ProcessMetrics()
  app.addHook('onClose', async () => proc.stop())
  app.addHook('onResponse', (req, reply, done) => {
    // The route pattern (`/api/v1/tasks/:id`), never the URL: ids would make unbounded series.
    http.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000)
    done()
  })
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (ctx.config.metricsToken) checkToken(ctx.config.metricsToken, req.headers.authorization, reply)
    const body = http.render() + (await readStoreGauges(ctx)) + proc.render()
    reply.type(CONTENT_TYPE).header('cache-control', 'no-store')
    return body
  })
}
