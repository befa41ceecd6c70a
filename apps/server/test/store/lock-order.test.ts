/**
 * ADR 0024: every write of an agent's task counters takes its market shard's row first, and a
 * batch of creates is sorted by (shard, agent), so all transactions lock those rows in one order.
 * Two processes' batches of creates for agents of one shard, creates run alone, and status
 * changes of the same agents' tasks run at once, and PostgreSQL itself counts no deadlock
 * (`pg_stat_database.deadlocks`, on a database of this test's own).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, test } from 'node:test'
import pg from 'pg'
import { setAgentTier } from '../../src/admin/set-tier.ts'
import { adminCredit } from '../../src/agents/deposit.ts'
import { registerAgent } from '../../src/agents/register-agent.ts'
import { loadConfig } from '../../src/config.ts'
import type { Ctx } from '../../src/context.ts'
import { openContext } from '../../src/server.ts'
import { lockRow, withTx } from '../../src/store/tx.ts'
import { createTask } from '../../src/tasks/create-task.ts'
import { findTask } from '../../src/tasks/load.ts'
import { marketShardOf } from '../../src/tasks/task-counts.ts'
import { transitionTask } from '../../src/tasks/transition.ts'
import { PG_URL, responseCheckEnv } from '../helpers/harness.ts'

const AGENTS = 6
const CREATES_PER_AGENT = 40
const CONCURRENCY = 24

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL! })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

const input = () => ({
  title: 'Photograph the storefront',
  description: 'Take two photos of the shop front at 1 Main St, including the opening hours sign.',
  task_type: 'PHOTO' as const,
  reward_usd: 1,
  deadline: new Date(Date.now() + 86_400_000).toISOString(),
  proof_requirements: ['photo of the storefront'],
  location: { lat: 52.52, lng: 13.405 },
})

/** Runs `jobs` with at most `n` at a time. */
async function pool(n: number, jobs: (() => Promise<unknown>)[]) {
  let next = 0
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) await jobs[next++]!()
    }),
  )
}

describe('lock order of task counters [postgres]', { skip: !PG_URL }, () => {
  test('two processes creating and moving tasks of agents of one market shard at once never deadlock', async (t) => {
    const dbName = `humcli_lock_${randomBytes(4).toString('hex')}`
    await admin((c) => c.query(`create database ${dbName}`))
    t.after(() => admin((c) => c.query(`drop database if exists ${dbName} with (force)`)))
    const url = new URL(PG_URL!)
    url.pathname = `/${dbName}`
    const open = () =>
      openContext(
        loadConfig(
          { ...responseCheckEnv(), DATABASE_URL: url.toString() },
          { logLevel: 'silent', workers: false, rateLimitPerMinute: 0 },
        ),
      )
    const one: Ctx = await open()
    const two: Ctx = await open()
    let closed = false
    const close = async () => {
      if (closed) return
      closed = true
      await one.store.close()
      await two.store.close()
    }
    t.after(close)

    // Funded agents that all count on one market shard.
    const agents: string[] = []
    let shard: number | null = null
    while (agents.length < AGENTS) {
      const { agent_id: id } = await registerAgent(one, {
        name: 'lock order',
        email: `lock-${randomBytes(4).toString('hex')}@example.com`,
      })
      shard ??= marketShardOf(id)
      if (marketShardOf(id) !== shard) continue
      await setAgentTier(one, id, 'STANDARD')
      await adminCredit(one, id, 1_000_000_000n, 'lock order test')
      agents.push(id)
    }
    // A task of each agent that moves out of PENDING and back while the creates run.
    const moving = await Promise.all(agents.map((a) => createTask(one, a, input())))

    const deadlocksNow = () =>
      admin(async (c) => {
        const r = await c.query('select deadlocks from pg_stat_database where datname = $1', [dbName])
        return Number(r.rows[0]?.deadlocks ?? 0)
      })
    const before = await deadlocksNow()

    const jobs: (() => Promise<unknown>)[] = []
    for (let i = 0; i < CREATES_PER_AGENT; i++) {
      for (const [n, a] of agents.entries()) {
        const ctx = (i + n) % 2 === 0 ? one : two
        jobs.push(() => createTask(ctx, a, input()))
        // An agent's open task leaves PENDING and comes back (as an estimate does), counting on
        // the market shard in its own transaction, on either process.
        if (i % 4 === 0) {
          jobs.push(() =>
            withTx(ctx.store, async (tx) => {
              await lockRow(tx, 'postgres', 'tasks', moving[n]!.task.id)
              const task = (await findTask(tx, moving[n]!.task.id))!
              const to = task.status === 'PENDING' ? 'ESTIMATE_PENDING' : 'PENDING'
              await transitionTask(ctx, tx, {
                task,
                to,
                actor: 'system',
                reason: 'lock order test',
                now: new Date(),
              })
            }),
          )
        }
      }
    }
    await pool(CONCURRENCY, jobs)
    // A backend's statistics reach pg_stat_database at the latest when it exits.
    await close()
    const deadlocks = (await deadlocksNow()) - before
    assert.equal(deadlocks, 0, `${deadlocks} deadlocks among ${jobs.length} transactions`)
  })
})
