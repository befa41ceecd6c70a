/**
 * `retention.analyze` keeps PostgreSQL's statistics when autovacuum is off (as on the machines
 * these tests run on): without them the planner takes an agent with hundreds of tasks for one with
 * a handful, and `GET /tasks` sorts them all instead of reading a page from `tasks_agent_list`.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { addMs, iso } from '../../src/clock.ts'
import { TIER_LIMITS } from '../../src/domain/tiers.ts'
import { analyzeStale, scheduleStatistics } from '../../src/retention/analyze.ts'
import { taskPageQuery } from '../../src/tasks/list-tasks.ts'
import { createTask, newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer } from '../helpers/harness.ts'

const TASKS = 400
const STANDARD = { ...TIER_LIMITS.STANDARD, maxDailyTasks: TASKS, maxDailySpendMicros: 10n ** 12n }

forEachDialect('retention.analyze', (dialect) => {
  test(
    dialect === 'postgres'
      ? 'with autovacuum off, the tables an agent filled are analyzed and its list reads a page of the index'
      : 'SQLite queues no statistics job',
    async (t) => {
      const s = await startTestServer(dialect, { tierLimits: { ...TIER_LIMITS, STANDARD } })
      t.after(() => s.close())
      const db = s.ctx.store.db
      const queued = async () =>
        (
          await db
            .selectFrom('jobs')
            .select(['run_at'])
            .where('kind', '=', 'retention.analyze')
            .where('status', '=', 'queued')
            .execute()
        ).map((j) => j.run_at)
      await scheduleStatistics(s.ctx)
      if (dialect === 'sqlite') {
        assert.deepEqual(await queued(), [])
        assert.deepEqual(await analyzeStale(s.ctx), [])
        return
      }
      const autovacuum = await sql<{ on: string }>`select current_setting('autovacuum') as "on"`.execute(db)
      const agent = await newAgent(s, { tier: 'STANDARD', deposit: 10_000 })
      let t0 = Date.now()
      for (let i = 0; i < TASKS; i += 50) {
        await Promise.all(Array.from({ length: 50 }, () => createTask(s, agent, { reward_usd: 1 })))
      }
      t.diagnostic(`${TASKS} creates in ${Date.now() - t0} ms`)
      t0 = Date.now()
      // A backend's row counts reach pg_stat_user_tables when it next reports (at most a few
      // seconds later): wait for them instead of racing them.
      for (let i = 0; ; i++) {
        const r = await sql<{ n: string }>`
          select n_mod_since_analyze as n from pg_stat_user_tables
          where schemaname = current_schema() and relname = 'tasks'`.execute(db)
        if (Number(r.rows[0]?.n ?? 0) >= TASKS) break
        assert.ok(i < 150, `pg_stat_user_tables never counted the ${TASKS} tasks`)
        await new Promise((r) => setTimeout(r, 100))
      }
      t.diagnostic(`counted by pg_stat_user_tables after ${Date.now() - t0} ms`)
      const plan = async () =>
        (
          await sql<{ 'QUERY PLAN': string }>`explain ${taskPageQuery(s.ctx.store, agent.id, {
            limit: 100,
            offset: 0,
            after: null,
          })}`.execute(db)
        ).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n')

      // The run `humcli serve` queued at start.
      await s.runJobs()
      const stats = await sql<{ at: string | null }>`
        select last_analyze as at from pg_stat_user_tables
        where schemaname = current_schema() and relname = 'tasks'`.execute(db)
      if (autovacuum.rows[0]?.on === 'on') {
        t.diagnostic('autovacuum is on here: the job leaves statistics to it')
        assert.deepEqual(await analyzeStale(s.ctx), [])
        return
      }
      assert.notEqual(stats.rows[0]?.at, null, 'tasks was not analyzed')
      const after = await plan()
      assert.match(after, /Index Scan Backward using tasks_agent_list/)
      assert.doesNotMatch(after, /Sort/)
      // The run queued the next one; nothing changed since, so a run now analyzes nothing.
      assert.deepEqual(await queued(), [iso(addMs(s.clock.now(), s.ctx.config.analyzeEveryMs))])
      assert.deepEqual(await analyzeStale(s.ctx), [])
      assert.equal((await queued()).length, 1)
    },
  )
})
