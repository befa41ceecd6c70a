import { Writable } from 'node:stream'
import pino from 'pino'

/** A real pino logger whose JSON lines a test can read (`lines`), at `level` (default info). */
export function captureLog(level = 'info') {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { log: pino({ level }, stream), lines }
}
