import { InvalidArgumentError } from 'commander'

/** Output and flag parsing shared by the agent commands. */

/**
 * Output to a pipe whose reader has gone (`humcli tasks list | head`) ends the command quietly
 * with status 0, as Unix tools do, instead of an EPIPE stack trace.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err
    process.exit(0)
  })
}

export function out(line = ''): void {
  process.stdout.write(`${line}\n`)
}
export function printJson(value: unknown): void {
  out(JSON.stringify(value, null, 2))
}

export function usd(n: number): string {
  const cents = Math.round(n * 100)
  return Math.abs(n * 100 - cents) < 1e-9 ? `$${(cents / 100).toFixed(2)}` : `$${n}`
}

/** Rows as aligned columns under a header; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

export const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

/** `2026-06-01T12:00:00.000Z` → `2026-06-01 12:00` (UTC). */
export const shortTime = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '-')

/** 75_000 → `1m 15s`. */
export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (h > 0) return `${h}h ${m}m ${s % 60}s`
  return m > 0 ? `${m}m ${s % 60}s` : `${s}s`
}

export function minutes(total: number | null | undefined): string {
  if (total === null || total === undefined) return 'no estimate'
  const d = Math.floor(total / 1440)
  const h = Math.floor((total % 1440) / 60)
  const m = total % 60
  return [d && `${d} d`, h && `${h} h`, (m || total === 0) && `${m} min`].filter(Boolean).join(' ')
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `90s`, `10m`, `2h`, `3d`, `500ms`; a bare number is seconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim())
  if (!m) throw new InvalidArgumentError('give a duration like 90s, 10m, 2h or 3d.')
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']!)
}

/** A positive amount of US dollars with at most 6 decimals (USDC precision). */
export function parseUsd(value: string): number {
  const v = value.trim().replace(/^\$/, '')
  if (!/^\d+(\.\d{1,6})?$/.test(v) || Number(v) <= 0) {
    throw new InvalidArgumentError(
      'give a positive amount in US dollars, like 5 or 2.50 (at most 6 decimals).',
    )
  }
  return Number(v)
}

export function parseNumber(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`give ${what} between ${min} and ${max}.`)
    }
    return n
  }
}

/** An ISO time, or a duration from now (`2d`, `6h`). */
export function parseDeadline(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(value.trim()))
    return new Date(now + parseDuration(value)).toISOString()
  const t = Date.parse(value)
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    throw new InvalidArgumentError(
      'give an ISO time like 2026-06-01T12:00:00Z, or a time from now like 2d or 6h.',
    )
  }
  return new Date(t).toISOString()
}

export const collect = (value: string, previous: string[] = []) => [...previous, value]
