import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TASK_STATUSES, TASK_TYPES, type WebhookEvent } from '@humcli/sdk'
import { TASK_STATUSES as SERVER_STATUSES } from '../../src/domain/lifecycle.ts'
import { TASK_TYPES as SERVER_TYPES } from '../../src/domain/task-types.ts'
import { ENDPOINT_EVENTS } from '../../src/webhooks/serialize.ts'

// The SDK's types are written by hand (it imports nothing from the server); these keep them true.
test("the SDK's enums are the server's", () => {
  assert.deepEqual([...TASK_STATUSES], [...SERVER_STATUSES])
  assert.deepEqual([...TASK_TYPES].sort(), [...SERVER_TYPES].sort())
  const events: readonly WebhookEvent[] = ENDPOINT_EVENTS
  assert.equal(events.length, ENDPOINT_EVENTS.length)
})

test('the SDK imports nothing from the server', async () => {
  const fs = await import('node:fs')
  const dir = new URL('../../../../packages/sdk/src/', import.meta.url)
  for (const file of fs.readdirSync(dir)) {
    const text = fs.readFileSync(new URL(file, dir), 'utf8')
    const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]!)
    const outside = imports.filter((i) => i.startsWith('..'))
    assert.deepEqual(outside, [], `${file} imports ${outside.join(', ')}`)
  }
})
