import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { statement } from '../../src/store/statement.ts'
import { withTx } from '../../src/store/tx.ts'
import { createTask } from '../../src/tasks/create-task.ts'
import { findTask } from '../../src/tasks/load.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'

const insertAccount = statement((db, p: { id: string; balance: bigint; at: string }) =>
  db.insertInto('accounts').values({ id: p.id, balance_micros: p.balance, created_at: p.at }),
)
const addToAccount = statement((db, p: { id: string; amount: bigint }) =>
  db
    .updateTable('accounts')
    .set({ balance_micros: sql`balance_micros + ${p.amount}` })
    .where('id', '=', p.id)
    .returning(['id', 'balance_micros']),
)
const accountsLike = statement((db, p: { prefix: string }) =>
  db.selectFrom('accounts').select(['id', 'balance_micros']).where('id', 'like', p.prefix).orderBy('id'),
)

forEachDialect('statement: a query compiled once, run with new parameters', (dialect) => {
  let s: TestServer
  before(async () => {
    s = await startTestServer(dialect)
  })
  after(() => s.close())

  test('binds each call its own values; constants stay as written', async () => {
    const db = s.ctx.store.db
    for (let i = 0; i < 3; i++) {
      assert.equal(await insertAccount.run(db, { id: `stmt:${i}`, balance: BigInt(i * 10), at: 'now' }), 1n)
    }
    assert.deepEqual(await addToAccount.rows(db, { id: 'stmt:2', amount: 5n }), [
      { id: 'stmt:2', balance_micros: 25n },
    ])
    assert.equal(await addToAccount.first(db, { id: 'stmt:none', amount: 5n }), undefined)
    assert.deepEqual(
      (await accountsLike.rows(db, { prefix: 'stmt:%' })).map((r) => [r.id, r.balance_micros]),
      [
        ['stmt:0', 0n],
        ['stmt:1', 10n],
        ['stmt:2', 25n],
      ],
    )
  })

  test('works inside a transaction and rolls back with it', async () => {
    await assert.rejects(
      withTx(s.ctx.store, async (tx) => {
        await insertAccount.run(tx, { id: 'stmt:tx', balance: 1n, at: 'now' })
        assert.equal((await accountsLike.rows(tx, { prefix: 'stmt:tx' })).length, 1)
        throw new Error('undo')
      }),
      /undo/,
    )
    assert.deepEqual(await accountsLike.rows(s.ctx.store.db, { prefix: 'stmt:tx' }), [])
  })

  test('a missing parameter is an error, not a NULL', async () => {
    await assert.rejects(
      insertAccount.run(s.ctx.store.db, { id: 'stmt:x', at: 'now' } as never),
      /parameter `balance` is missing/,
    )
  })

  test('createTask returns exactly the row it stored (it writes without reading back)', async () => {
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 200 })
    const inputs = [
      {
        title: 'Photo',
        description: 'A storefront',
        task_type: 'PHOTO' as const,
        reward_usd: 15.25,
        deadline: new Date(s.clock.now().getTime() + 86_400_000).toISOString(),
        proof_requirements: ['one photo'],
        location: { lat: 52.52, lng: 13.405, address: '1 Main St' },
        location_radius_m: 150,
        callback_url: 'http://127.0.0.1:9/hook',
        metadata: { order: '42' },
      },
      {
        title: 'Check a form',
        description: 'Does it submit?',
        task_type: 'FORM_FILLING' as const,
        reward_usd: 5,
        deadline: new Date(s.clock.now().getTime() + 3_600_000).toISOString(),
        proof_requirements: ['a screenshot'],
        digital_instructions: 'Open the page and submit the form.',
      },
    ]
    for (const input of inputs) {
      const { task } = await createTask(s.ctx, agent.id, input)
      assert.deepEqual(await findTask(s.ctx.store.db, task.id), task)
    }
  })
})
