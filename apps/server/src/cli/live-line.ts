import { elapsed } from './format.ts'

/**
 * A status line on stderr (stdout stays clean for the result). On a terminal it is rewritten in
 * place every second with the time waited; elsewhere (a log, CI) nothing is redrawn, and with
 * `linePerChange` each new status is written once as its own line instead.
 */
export function liveLine(label: string, started: number, opts: { linePerChange?: boolean } = {}) {
  const tty = process.stderr.isTTY === true
  let status = '…'
  const draw = () => {
    if (tty) process.stderr.write(`\r\x1b[2K${label}  ${status}  waiting ${elapsed(Date.now() - started)}`)
  }
  const timer = tty ? setInterval(draw, 1000) : null
  return {
    set(s: string) {
      if (s === status) return
      status = s
      if (!tty && opts.linePerChange) process.stderr.write(`${label}  ${s}\n`)
      draw()
    },
    clear() {
      if (tty) process.stderr.write('\r\x1b[2K')
    },
    stop() {
      if (timer) clearInterval(timer)
      if (tty) process.stderr.write('\r\x1b[2K')
    },
  }
}
