import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  path: string
  headers: http.IncomingHttpHeaders
  body: string
}

/** What the receiver answers; `hang` never answers (a timeout), `reset` drops the connection. */
export type Reply = { status: number; body?: string; headers?: Record<string, string> } | 'hang' | 'reset'

/** A real local HTTP server standing in for a customer's webhook receiver. */
export interface Receiver {
  url: string
  port: number
  received: Received[]
  /** Decides the answer to each request; default 200. */
  reply: (r: Received) => Reply
  close(): Promise<void>
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const hanging = new Set<http.ServerResponse>()
  const rec: Receiver = {
    url: '',
    port: 0,
    received: [],
    reply: () => ({ status: 200, body: 'ok' }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      rec.received.push(r)
      const answer = rec.reply(r)
      if (answer === 'hang') {
        hanging.add(res)
        return
      }
      if (answer === 'reset') {
        req.socket.destroy()
        return
      }
      res.writeHead(answer.status, answer.headers ?? {})
      res.end(answer.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()))
  rec.port = (server.address() as AddressInfo).port
  rec.url = `http://127.0.0.1:${rec.port}`
  return rec
}

/** A loopback port nothing listens on (yet): connections to it are refused. */
export async function freePort(): Promise<number> {
  const r = await startReceiver()
  await r.close()
  return r.port
}
