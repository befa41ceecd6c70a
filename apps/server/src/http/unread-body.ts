import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.ts'

/**
 * A reply sent before its request body was read to the end — an upload refused part-way, at the
 * eleventh photo or at an unknown field — must not leave the unread bytes on the connection: the
 * parser would wait for them before the next request on that keep-alive socket, which then hangs
 * until the socket times out (behind a proxy that reuses upstream sockets, someone else's
 * request). The rest of a body no longer than the largest upload we accept is read and thrown
 * away, so the socket stays usable; a longer or unsized one gets `Connection: close`.
 */
export function installUnreadBodyDrain(app: FastifyInstance, config: Config): void {
  const drainLimit = config.uploadMaxBytes * (config.uploadMaxFiles + 1) + config.bodyLimitBytes
  app.addHook('onSend', async (req, reply) => {
    const raw = req.raw
    if (raw.complete || raw.readableEnded) return
    raw.unpipe()
    raw.resume()
    const length = Number(raw.headers['content-length'])
    if (!Number.isFinite(length) || length > drainLimit) reply.header('connection', 'close')
  })
}
