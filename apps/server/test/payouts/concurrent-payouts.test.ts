/**
 * Demonstration 5 (issue 4): 20 payout requests at once (distinct Idempotency-Keys) against an
 * available balance that covers exactly 3 → exactly 3 are accepted, 17 are refused with 402, no
 * account goes negative, and the ledger check — in-process and `humcli admin ledger-check` — passes.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ledgerCheck } from '../../src/ledger/check.ts'
import { dbEnv, forEachDialect, runHumcli, useServer } from '../helpers/harness.ts'
import { fundedOperator, payoutBody } from './fixtures.ts'

forEachDialect('demonstration 5: concurrent payouts', (dialect) => {
  const server = useServer(dialect)

  test('20 concurrent requests against a balance that covers 3: exactly 3 succeed', async () => {
    const s = server()
    const op = await fundedOperator(s, 30)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        op.api.post('/operator/payout', payoutBody(10), { headers: { 'idempotency-key': `race-${i}` } }),
      ),
    )
    const statuses = results.map((r) => r.status)
    assert.equal(statuses.filter((c) => c === 201).length, 3, JSON.stringify(statuses))
    assert.equal(statuses.filter((c) => c === 402).length, 17, JSON.stringify(statuses))
    for (const r of results.filter((x) => x.status === 402)) {
      assert.equal(r.body.code, 'INSUFFICIENT_BALANCE')
      assert.match(r.body.error, /asked for \$10 but \$\d+ is available/)
    }
    assert.equal((await op.api.get('/operator/earnings')).body.available_balance, 0)
    await s.runJobs()
    const list = (await op.api.get('/operator/payouts')).body
    assert.equal(list.pagination.total, 3)
    assert.deepEqual(
      list.data.map((p: { status: string }) => p.status),
      ['CONFIRMED', 'CONFIRMED', 'CONFIRMED'],
    )
    const check = await ledgerCheck(s.ctx.store.db)
    assert.deepEqual(check.problems, [])
    const inFlight = await s.ctx.store.db
      .selectFrom('accounts')
      .select('balance_micros')
      .where('id', '=', `operator:${op.id}:payout_in_flight`)
      .executeTakeFirstOrThrow()
    assert.equal(inFlight.balance_micros, 0n)
    const cli = await runHumcli(['admin', 'ledger-check'], dbEnv(s.db))
    assert.equal(cli.code, 0, cli.stderr)
    assert.match(cli.stdout, /ledger OK/)
  })
})
