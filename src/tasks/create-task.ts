import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { loadAgent } from '../agents/load.ts'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { checkAgentPublicKey } from '../credentials/public-key.ts'
import { DomainError, invalid } from '../domain/errors.ts'
import { newId } from '../domain/ids.ts'
import { microsToUsd, platformFee, usdToMicros } from '../domain/money.ts'
import { domainOf, type TaskType } from '../domain/task-types.ts'
import { type Tier, type TierLimits, utcDay } from '../domain/tiers.ts'
import { enqueueJob } from '../jobs/enqueue.ts'
import { post } from '../ledger/post.ts'
import { queueSandboxStep } from '../sandbox/schedule.ts'
import type { Tx } from '../store/schema.ts'
import { withTx } from '../store/tx.ts'
import { checkCallbackUrl } from './callback-url.ts'
import type { TaskRow } from './load.ts'
import type { TransitionRow } from './serialize.ts'
import { holdEscrow } from './settle.ts'

export interface CreateTaskInput {
  title: string
  description: string
  task_type: TaskType
  reward_usd: number
  deadline: string
  proof_requirements: string[]
  location?: { lat: number; lng: number; address?: string }
  location_radius_m?: number
  digital_instructions?: string
  agent_public_key?: string
  callback_url?: string
  callback_secret?: string
  metadata?: Record<string, string>
}

const MAX_DEADLINE_MS = 90 * 24 * 3_600_000
const MAX_METADATA_BYTES = 4096

function validate(input: CreateTaskInput, now: Date): { reward: bigint; deadline: Date } {
  const reward = usdToMicros(input.reward_usd, 'reward_usd')
  if (reward <= 0n) throw invalid('reward_usd', '`reward_usd` must be greater than 0.')
  const deadline = new Date(input.deadline)
  if (Number.isNaN(deadline.getTime())) {
    throw invalid('deadline', '`deadline` must be an ISO-8601 time such as 2026-04-02T12:00:00.000Z.')
  }
  if (deadline.getTime() <= now.getTime()) throw invalid('deadline', '`deadline` must be in the future.')
  if (deadline.getTime() - now.getTime() > MAX_DEADLINE_MS) {
    throw invalid('deadline', '`deadline` may be at most 90 days ahead.')
  }
  input.proof_requirements.forEach((r, i) => {
    if (r.trim() === '')
      throw invalid(`proof_requirements.${i}`, `\`proof_requirements.${i}\` must not be blank.`)
  })
  if (domainOf(input.task_type) === 'PHYSICAL' && !input.location) {
    throw invalid(
      'location',
      `\`location\` {lat, lng} is required for ${input.task_type} tasks (physical tasks).`,
    )
  }
  if (input.metadata && Buffer.byteLength(JSON.stringify(input.metadata)) > MAX_METADATA_BYTES) {
    throw invalid('metadata', '`metadata` must be at most 4 KB of JSON.')
  }
  return { reward, deadline }
}

/** Counts the task against the agent's daily limits with a guarded update, so racing creates cannot exceed them. */
async function chargeDailyUsage(
  tx: Tx,
  agentId: string,
  tier: Tier,
  limits: TierLimits,
  escrow: bigint,
  now: Date,
): Promise<void> {
  const day = utcDay(now)
  if (limits.maxDailyTasks > 0 && escrow <= limits.maxDailySpendMicros) {
    // One guarded upsert: the first task of the day inserts, later ones add only while under both limits.
    const r = await tx
      .insertInto('agent_daily_usage')
      .values({ agent_id: agentId, day, tasks: 1n, spend_micros: escrow })
      .onConflict((oc) =>
        oc
          .columns(['agent_id', 'day'])
          .doUpdateSet({
            tasks: sql`agent_daily_usage.tasks + 1`,
            spend_micros: sql`agent_daily_usage.spend_micros + excluded.spend_micros`,
          })
          .where(sql<boolean>`agent_daily_usage.tasks < ${BigInt(limits.maxDailyTasks)}`)
          .where(
            sql<boolean>`agent_daily_usage.spend_micros + excluded.spend_micros <= ${limits.maxDailySpendMicros}`,
          ),
      )
      .executeTakeFirst()
    if (r.numInsertedOrUpdatedRows && r.numInsertedOrUpdatedRows > 0n) return
  }
  const usage = (await tx
    .selectFrom('agent_daily_usage')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('day', '=', day)
    .executeTakeFirst()) ?? { tasks: 0n, spend_micros: 0n }
  if (usage.tasks >= BigInt(limits.maxDailyTasks)) {
    throw new DomainError(
      'LIMIT_EXCEEDED',
      `Tier limit reached: ${tier} agents may create at most ${limits.maxDailyTasks} tasks per day (maxDailyTasks).`,
    )
  }
  throw new DomainError(
    'LIMIT_EXCEEDED',
    `Tier limit reached: ${tier} agents may spend at most $${microsToUsd(limits.maxDailySpendMicros)} per day ` +
      `(maxDailySpend); today's spend is $${microsToUsd(usage.spend_micros)} and this task needs $${microsToUsd(escrow)}.`,
  )
}

export interface CreatedTask {
  task: TaskRow
  /** The transition log as written, so the response needs no read back. */
  transitions: TransitionRow[]
  /** Returned once when the server generated the callback secret. */
  generatedCallbackSecret: string | null
}

export async function createTask(ctx: Ctx, agentId: string, input: CreateTaskInput): Promise<CreatedTask> {
  const now = ctx.clock.now()
  const { reward, deadline } = validate(input, now)
  if (input.agent_public_key !== undefined) await checkAgentPublicKey(input.agent_public_key)
  if (input.callback_url !== undefined) await checkCallbackUrl(input.callback_url, ctx.config)
  const generatedCallbackSecret =
    input.callback_url && !input.callback_secret ? randomBytes(32).toString('hex') : null
  return withTx(ctx.store, async (tx) => {
    const agent = await loadAgent(tx, agentId)
    if (agent.restricted_at) {
      throw new DomainError(
        'ACCOUNT_RESTRICTED',
        `This agent is restricted and cannot create tasks: ${agent.restricted_reason ?? 'contact the platform'}.`,
      )
    }
    const tier = agent.tier as Tier
    const limits = ctx.config.tierLimits[tier]
    if (reward > limits.maxTaskValueMicros) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        `Tier limit: ${tier} agents may offer at most $${microsToUsd(limits.maxTaskValueMicros)} per task (maxTaskValue).`,
      )
    }
    const fee = platformFee(reward, ctx.config.feeRateBps, ctx.config.minFeeMicros)
    const sandbox = tier === 'SANDBOX'
    const escrow = sandbox ? 0n : reward + fee
    const id = newId('task')
    const at = iso(now)
    const task = await tx
      .insertInto('tasks')
      .values({
        id,
        agent_id: agentId,
        title: input.title,
        description: input.description,
        task_type: input.task_type,
        domain: domainOf(input.task_type),
        reward_micros: reward,
        fee_micros: fee,
        escrow_micros: escrow,
        deadline: iso(deadline),
        proof_requirements: JSON.stringify(input.proof_requirements),
        location_lat: input.location?.lat ?? null,
        location_lng: input.location?.lng ?? null,
        location_address: input.location?.address ?? null,
        location_radius_m: BigInt(input.location_radius_m ?? 200),
        digital_instructions: input.digital_instructions ?? null,
        agent_public_key: input.agent_public_key ?? null,
        callback_url: input.callback_url ?? null,
        callback_secret: input.callback_secret ?? generatedCallbackSecret,
        metadata: input.metadata ? JSON.stringify(input.metadata) : null,
        status: 'PENDING',
        version: 1n,
        sandbox: sandbox ? 1n : 0n,
        submit_attempts: 0n,
        created_at: at,
        updated_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    const created = {
      from_status: null,
      to_status: 'PENDING',
      actor: `agent:${agentId}`,
      reason: 'created',
      at,
    }
    await tx
      .insertInto('task_transitions')
      .values({ task_id: id, ...created })
      .execute()
    await enqueueJob(tx, { kind: 'task.deadline', payload: { taskId: id }, runAt: deadline, now })
    // Sandbox tasks: the simulated operator accepts after a step (spec §10).
    await queueSandboxStep(ctx, tx, task, now)
    // The agent's own rows (daily usage, balances) are touched last, so on PostgreSQL their row
    // locks are held only until the commit that follows: one agent's creates queue there briefly.
    // Daily spend is the escrow taken; sandbox tasks take none, so their reward counts instead.
    await chargeDailyUsage(tx, agentId, tier, limits, sandbox ? reward : escrow, now)
    if (escrow > 0n) {
      await post(tx, { ...holdEscrow(agentId, escrow), taskId: id, at: now }).catch((err) => {
        if (err instanceof DomainError && err.code === 'INSUFFICIENT_BALANCE') {
          throw new DomainError(
            'INSUFFICIENT_BALANCE',
            `Insufficient deposit balance: this task needs $${microsToUsd(escrow)} (reward $${microsToUsd(reward)} + fee $${microsToUsd(fee)}). Deposit funds and try again.`,
          )
        }
        throw err
      })
    }
    return { task, transitions: [created], generatedCallbackSecret }
  })
}
