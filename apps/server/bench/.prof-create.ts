import { sql } from 'kysely'
import { setAgentTier } from '../src/admin/set-tier.ts'
import { adminCredit } from '../src/agents/deposit.ts'
import { registerAgent } from '../src/agents/register-agent.ts'
import { loadConfig } from '../src/config.ts'
import { openContext } from '../src/server.ts'
import { createTask } from '../src/tasks/create-task.ts'
import { PG_URL, withPgSchema } from './lib.ts'

await withPgSchema(async (schema) => {
  const ctx = await openContext(
    loadConfig({
      DATABASE_URL: PG_URL,
      HUMCLI_DB_SCHEMA: schema,
      LOG_LEVEL: 'silent',
      HUMCLI_TIER_LIMITS: JSON.stringify({ STANDARD: { maxDailyTasks: 10_000_000, maxDailySpend: 1e12 } }),
    }),
    { poolSize: 1 },
  )
  const a: any = await registerAgent(ctx, { name: 'p', email: 'p@example.com' } as any)
  const id = a.agent?.id ?? a.agent_id ?? a.id
  await setAgentTier(ctx, id, 'STANDARD')
  await adminCredit(ctx, id, 10n ** 13n, 'x')
  const input = {
    title: 'Photo',
    description: 'd',
    task_type: 'PHOTO' as const,
    reward_usd: 15,
    deadline: new Date(Date.now() + 86400000).toISOString(),
    proof_requirements: ['a'],
    location: { lat: 52.5, lng: 13.4 },
  }
  await sql`set track_functions = 'all'`.execute(ctx.store.db)
  for (let i = 0; i < 200; i++) await createTask(ctx, id, input)
  const n = 2000
  const t0 = performance.now()
  for (let i = 0; i < n; i++) await createTask(ctx, id, input)
  const ms = (performance.now() - t0) / n
  const f = await sql`select funcname, calls, self_time, total_time from pg_stat_user_functions`.execute(
    ctx.store.db,
  )
  const w = await sql`select sum(numbackends) from pg_stat_database`.execute(ctx.store.db)
  console.log(
    `sequential createTask: ${ms.toFixed(3)} ms each`,
    JSON.stringify(f.rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
  )
  await ctx.store.close()
})
