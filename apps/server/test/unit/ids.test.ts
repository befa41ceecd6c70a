import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newId, randomBase62 } from '../../src/domain/ids.ts'

test('newId: prefix, 8 time characters in order, 16 random base-36 characters, no repeats', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => newId('task', 1_800_000_000_000 + i))
  for (const id of ids.slice(0, 100)) assert.match(id, /^task_[0-9a-z]{24}$/)
  assert.equal(new Set(ids).size, ids.length)
  const times = ids.map((id) => id.slice(5, 13))
  assert.deepEqual(times, [...times].sort(), 'ids sort by creation time')
})

// Across many draws (well past one refill of the byte pool) every character is about equally
// likely: a chi-square statistic far above the degrees of freedom would mean a biased mapping.
function chiSquare(text: string, alphabet: string): number {
  const counts = new Map<string, number>([...alphabet].map((c) => [c, 0]))
  for (const c of text) counts.set(c, counts.get(c)! + 1)
  const expected = text.length / alphabet.length
  return [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0)
}

test('newId and randomBase62 draw characters uniformly', () => {
  const tails = Array.from({ length: 10_000 }, () => newId('key').slice(-16)).join('')
  // 35 degrees of freedom: the 99.99th percentile is about 77.
  assert.ok(chiSquare(tails, '0123456789abcdefghijklmnopqrstuvwxyz') < 80)
  const keys = Array.from({ length: 4_000 }, () => randomBase62(48)).join('')
  assert.match(keys, /^[0-9A-Za-z]+$/)
  assert.equal(keys.length, 4_000 * 48)
  // 61 degrees of freedom: the 99.99th percentile is about 115.
  assert.ok(chiSquare(keys, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') < 120)
  assert.equal(new Set(Array.from({ length: 1000 }, () => randomBase62(48))).size, 1000)
})
