import type { Config } from '../config.ts'

/**
 * Human-readable log lines for a person at a terminal (`npm start` in development), in place of
 * pino's JSON lines: `14:02:03.120 INFO  request completed  POST /api/v1/tasks → 201 in 12 ms  req_…`.
 * Our own few lines rather than pino-pretty: it runs in a worker thread and brings six packages
 * for what is a formatting of one object per line. Redaction has already happened in pino.
 */

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
}
const RESET = '\x1b[0m'
const SKIP = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'req',
  'res',
  'responseTime',
  'reqId',
  'err',
])

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)
  return JSON.stringify(v)
}

/** One pino JSON line as one readable line (plus an error's stack, indented). */
export function prettyLine(json: string, colour: boolean): string {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(json)
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`
  }
  const [label, tint] = LEVELS[o.level as number] ?? ['LOG  ', '']
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString().slice(11, 23) : ''
  const parts = [time, colour ? `${tint}${label}${RESET}` : label, String(o.msg ?? '')]
  const req = o.req as { method?: string; url?: string } | undefined
  const res = o.res as { statusCode?: number } | undefined
  if (req?.method) parts.push(`${req.method} ${req.url ?? ''}`)
  if (res?.statusCode) {
    const ms = typeof o.responseTime === 'number' ? ` in ${Math.round(o.responseTime)} ms` : ''
    parts.push(`→ ${res.statusCode}${ms}`)
  }
  const extra = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
  if (extra.length) parts.push(extra.join(' '))
  if (typeof o.reqId === 'string') parts.push(o.reqId)
  let line = parts.filter((p) => p !== '').join('  ')
  const err = o.err as { message?: string; stack?: string } | undefined
  if (err) line += `\n    ${(err.stack ?? err.message ?? '').replace(/\n/g, '\n    ')}`
  return `${line}\n`
}

/** Pretty when asked for, or by default on a terminal in development. */
export function wantsPrettyLogs(config: Pick<Config, 'env' | 'logFormat'>, isTTY: boolean): boolean {
  if (config.logFormat !== 'auto') return config.logFormat === 'pretty'
  return config.env === 'development' && isTTY
}

/** A pino destination that writes pretty lines to `out`. */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean }) {
  return { write: (json: string) => out.write(prettyLine(json, out.isTTY === true)) }
}
