// Walking every page of a list, by offset and by cursor, for the tests that compare lists with a
// brute-force computation.
import assert from 'node:assert/strict'
import type { AgentFixture, OperatorFixture } from './fixtures.ts'

export type Page = { data: { task_id: string }[]; pagination: Record<string, unknown> }

/** Every page of `path` by `offset`, and every page by `cursor`; both must end. */
export async function walk(api: AgentFixture['api'] | OperatorFixture['api'], path: string, limit: number) {
  const sep = path.includes('?') ? '&' : '?'
  const byOffset: string[] = []
  const totals = new Set<unknown>()
  for (let offset = 0; ; offset += limit) {
    const r = await api.get<Page>(`${path}${sep}limit=${limit}&offset=${offset}`)
    assert.equal(r.status, 200, r.text)
    totals.add(r.body.pagination.total)
    byOffset.push(...r.body.data.map((t) => t.task_id))
    if (r.body.data.length < limit) break
  }
  const byCursor: string[] = []
  let cursor: string | null = null
  for (let i = 0; i < 1000; i++) {
    const r: { status: number; text: string; body: Page } = await api.get<Page>(
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
    )
    assert.equal(r.status, 200, r.text)
    totals.add(r.body.pagination.total)
    byCursor.push(...r.body.data.map((t) => t.task_id))
    cursor = r.body.pagination.next_cursor as string | null
    if (!cursor) break
    assert.equal(r.body.data.length, limit, 'a next_cursor only after a full page')
  }
  assert.equal(totals.size, 1, `one total on every page: ${[...totals]}`)
  return { byOffset, byCursor, total: [...totals][0] as number }
}
