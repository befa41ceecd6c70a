/**
 * Where a text stops being JSON: the offset of the first character a JSON parser cannot accept,
 * as line and column (1-based) and byte offset. JSON.parse on Node 20 does not always say where
 * ("Unexpected token 'x', … is not valid JSON"), so a small scanner walks the grammar instead; it
 * runs only on bodies JSON.parse already refused.
 */
export interface JsonErrorPlace {
  line: number
  column: number
  byte: number
  /** What was found there: a character, or "the end of the body". */
  found: string
}

class Stop extends Error {
  constructor(readonly at: number) {
    super('stop')
  }
}

function scan(t: string): number | null {
  let i = 0
  const ws = () => {
    while (i < t.length && ' \t\n\r'.includes(t[i]!)) i++
  }
  const fail = (): never => {
    throw new Stop(i)
  }
  const word = (w: string) => {
    for (const c of w) if (t[i++] !== c) throw new Stop(i - 1)
  }
  const str = () => {
    i++ // opening quote
    while (i < t.length && t[i] !== '"') {
      const c = t.charCodeAt(i)
      if (c < 0x20) fail()
      if (t[i] === '\\') {
        i++
        if (t[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(t[i + k] ?? '')) throw new Stop(i + k)
          i += 4
        } else if (!'"\\/bfnrt'.includes(t[i] ?? 'x')) fail()
      }
      i++
    }
    if (i >= t.length) fail()
    i++
  }
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(t.slice(i))
    if (!m || m[0] === '-' || m[0] === '') fail()
    i += m![0].length
  }
  const list = (close: string, item: () => void) => {
    i++
    ws()
    if (t[i] === close) return void i++
    for (;;) {
      item()
      ws()
      if (t[i] === ',') {
        i++
        ws()
      } else if (t[i] === close) return void i++
      else fail()
    }
  }
  const value = (): void => {
    ws()
    const c = t[i]
    if (c === '{') {
      list('}', () => {
        if (t[i] !== '"') fail()
        str()
        ws()
        if (t[i] !== ':') fail()
        i++
        value()
      })
    } else if (c === '[') list(']', value)
    else if (c === '"') str()
    else if (c === 't') word('true')
    else if (c === 'f') word('false')
    else if (c === 'n') word('null')
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) num()
    else fail()
  }
  try {
    value()
    ws()
    return i < t.length ? i : null
  } catch (err) {
    if (err instanceof Stop) return err.at
    throw err
  }
}

export function locateJsonError(text: string): JsonErrorPlace | null {
  const at = scan(text)
  if (at === null) return null
  const before = text.slice(0, at)
  const lines = before.split('\n')
  const ch = text[at]
  return {
    line: lines.length,
    column: lines[lines.length - 1]!.length + 1,
    byte: Buffer.byteLength(before),
    found: ch === undefined ? 'the end of the body' : JSON.stringify(ch),
  }
}
