import { invalid } from './errors.ts'

/**
 * A keyset cursor: the sort key of the last row of a page, opaque to clients (base64url of a
 * JSON array of strings), so its shape can change without a contract change. A page after it
 * reads the index from that key on, whatever its depth (ADR 0021).
 */
export function encodeCursor(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/** The key a cursor holds; a 400 naming `cursor` for anything this server did not hand out. */
export function decodeCursor(cursor: string, parts: number): string[] {
  let key: unknown
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    key = null
  }
  if (!Array.isArray(key) || key.length !== parts || !key.every((k) => typeof k === 'string')) {
    throw badCursor()
  }
  return key as string[]
}

/** The 400 for a cursor whose key this server would not have handed out. */
export function badCursor() {
  return invalid(
    'cursor',
    '`cursor` is not one this list handed out: pass the `pagination.next_cursor` of the previous page unchanged.',
  )
}

/**
 * The deepest compat `offset` a keyset-paged list accepts. An offset is skipped entry by entry,
 * so its cost grows with it (at 900,000: 0.4 s on SQLite, holding the only writer's event loop);
 * past this a page costs more than ten ordinary ones, and `cursor` reaches any depth at the
 * cost of the first page.
 */
export const MAX_OFFSET = 10_000

/** The checks every keyset-paged list makes of `offset`: bounded, and never with a `cursor`. */
export function checkOffset(input: { offset: number; cursor?: string }): void {
  if (input.cursor !== undefined && input.offset > 0) {
    throw invalid('offset', '`offset` and `cursor` cannot be combined: send the cursor alone.')
  }
  if (input.offset > MAX_OFFSET) {
    throw invalid(
      'offset',
      `\`offset\` may be at most ${MAX_OFFSET} on this list: page further with \`cursor\` (each page's \`pagination.next_cursor\`), which costs the same at any depth.`,
    )
  }
}
