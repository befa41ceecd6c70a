import { randomBytes } from 'node:crypto'
import { iso } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { callbackSecretPurpose, sealSecret } from '../credentials/at-rest.ts'
import { checkAgentPublicKey } from '../credentials/public-key.ts'
import { DomainError, invalid, notFound } from '../domain/errors.ts'
import { geoCell } from '../domain/geo.ts'
import { newId } from '../domain/ids.ts'
import { microsToUsd, platformFee, usdToMicros } from '../domain/money.ts'
import { domainOf, type TaskType } from '../domain/task-types.ts'
import { tierLimitError } from '../domain/tier-limit-error.ts'
import { type Tier, utcDay } from '../domain/tiers.ts'
import { planPosting } from '../ledger/post.ts'
import { statement } from '../store/statement.ts'
import { withOneWrite } from '../store/tx.ts'
import { checkCallbackUrl } from './callback-url.ts'
import { type CreatePlan, type DailyUsage, dailyUsage, writeCreate } from './create-task-write.ts'
import type { TaskRow } from './load.ts'
import type { TransitionRow } from './serialize.ts'
import { holdEscrow } from './settle.ts'
import { taskCountDeltas } from './task-counts.ts'
import { entryTimerJobs } from './transition.ts'

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

export interface CreatedTask {
  task: TaskRow
  /** The transition log as written, so the response needs no read back. */
  transitions: TransitionRow[]
  /** Returned once when the server generated the callback secret. */
  generatedCallbackSecret: string | null
}

/** What creating a task needs of the agent: a narrow read, since each column read costs. */
const agentForCreate = statement((db, p: { id: string }) =>
  db.selectFrom('agents').select(['tier', 'restricted_at', 'restricted_reason']).where('id', '=', p.id),
)

/** The task's callback signing secret as stored: sealed under the master key, bound to the task. */
const sealCallbackSecret = (ctx: Ctx, taskId: string, secret: string | null) =>
  secret === null ? null : sealSecret(ctx.secrets, callbackSecretPurpose(taskId), secret)

interface Money {
  reward: bigint
  fee: bigint
  escrow: bigint
  deadline: Date
  sandbox: boolean
}

/**
 * The new row, built from the input: the task is inserted from it and returned without a read
 * back (a test compares it with `select *` of the stored row).
 */
function taskRowFor(
  ctx: Ctx,
  agentId: string,
  input: CreateTaskInput,
  m: Money,
  secret: string | null,
  now: Date,
) {
  const id = newId('task')
  const at = iso(now)
  const task: TaskRow = {
    id,
    agent_id: agentId,
    title: input.title,
    description: input.description,
    task_type: input.task_type,
    domain: domainOf(input.task_type),
    reward_micros: m.reward,
    fee_micros: m.fee,
    escrow_micros: m.escrow,
    deadline: iso(m.deadline),
    proof_requirements: JSON.stringify(input.proof_requirements),
    location_lat: input.location?.lat ?? null,
    location_lng: input.location?.lng ?? null,
    location_address: input.location?.address ?? null,
    location_radius_m: BigInt(input.location_radius_m ?? 200),
    digital_instructions: input.digital_instructions ?? null,
    agent_public_key: input.agent_public_key ?? null,
    callback_url: input.callback_url ?? null,
    callback_secret: sealCallbackSecret(ctx, id, input.callback_secret ?? secret),
    metadata: input.metadata ? JSON.stringify(input.metadata) : null,
    status: 'PENDING',
    version: 1n,
    sandbox: m.sandbox ? 1n : 0n,
    operator_id: null,
    estimate: null,
    proof: null,
    credentials: null,
    guardian_result: null,
    verify_reason: null,
    resolution: null,
    submit_attempts: 0n,
    cancel_reason: null,
    created_at: at,
    accepted_at: null,
    started_at: null,
    submitted_at: null,
    completed_at: null,
    cancelled_at: null,
    updated_at: at,
    credentials_purged_at: null,
    geo_cell: input.location ? geoCell(input.location.lat, input.location.lng) : null,
  }
  return task
}

/**
 * Creating a task is one write: on PostgreSQL one statement after the agent's read, with no
 * BEGIN or COMMIT (`withOneWrite`, ADR 0024); on SQLite a group-committed transaction.
 */
export async function createTask(ctx: Ctx, agentId: string, input: CreateTaskInput): Promise<CreatedTask> {
  const now = ctx.clock.now()
  const { reward, deadline } = validate(input, now)
  if (input.agent_public_key !== undefined) await checkAgentPublicKey(input.agent_public_key)
  if (input.callback_url !== undefined) await checkCallbackUrl(input.callback_url, ctx.config)
  const generatedCallbackSecret =
    input.callback_url && !input.callback_secret ? randomBytes(32).toString('hex') : null
  return withOneWrite(ctx.store, async (tx) => {
    const agent = await agentForCreate.first(tx, { id: agentId })
    if (!agent) throw notFound('Agent')
    if (agent.restricted_at) {
      throw new DomainError(
        'ACCOUNT_RESTRICTED',
        `This agent is restricted and cannot create tasks: ${agent.restricted_reason ?? 'contact the platform'}.`,
      )
    }
    const tier = agent.tier as Tier
    const limits = ctx.config.tierLimits[tier]
    if (reward > limits.maxTaskValueMicros) throw tierLimitError('maxTaskValue', { tier, limits, now })
    const fee = platformFee(reward, ctx.config.feeRateBps, ctx.config.minFeeMicros)
    const sandbox = tier === 'SANDBOX'
    // Daily spend is the escrow taken (spec §3). Sandbox tasks take none and move no money, so
    // they are limited by count per day and reward per task only.
    const escrow = sandbox ? 0n : reward + fee
    const money = { reward, fee, escrow, deadline, sandbox }
    const task = taskRowFor(ctx, agentId, input, money, generatedCallbackSecret, now)
    const day = utcDay(now)
    const overLimit = (usage: DailyUsage) => {
      const facts = { tier, limits, now, usage, needsMicros: escrow }
      return tierLimitError(
        usage.tasks >= BigInt(limits.maxDailyTasks) ? 'maxDailyTasks' : 'maxDailySpend',
        facts,
      )
    }
    if (limits.maxDailyTasks <= 0 || escrow > limits.maxDailySpendMicros) {
      throw overLimit(await dailyUsage(tx, agentId, day))
    }
    const created: TransitionRow = {
      from_status: null,
      to_status: 'PENDING',
      actor: `agent:${agentId}`,
      reason: 'created',
      at: task.created_at,
    }
    const plan: CreatePlan = {
      task,
      transition: { task_id: task.id, ...created },
      // The deadline, then what PENDING queues (ON_ENTER): on sandbox tasks, the simulated
      // operator's accept (spec §10).
      jobs: [
        { kind: 'task.deadline', payload: { taskId: task.id }, runAt: deadline, now },
        ...entryTimerJobs(ctx, task, now),
      ],
      counts: taskCountDeltas(task, null, 'PENDING'),
      usage: {
        agent_id: agentId,
        day,
        spend: escrow,
        max_tasks: BigInt(limits.maxDailyTasks),
        max_spend: limits.maxDailySpendMicros,
      },
      posting: escrow > 0n ? planPosting({ ...holdEscrow(agentId, escrow), taskId: task.id, at: now }) : null,
    }
    await writeCreate(ctx.store.dialect, tx, plan, overLimit).catch((err) => {
      if (err instanceof DomainError && err.code === 'INSUFFICIENT_BALANCE') {
        throw new DomainError(
          'INSUFFICIENT_BALANCE',
          `Insufficient deposit balance: this task needs $${microsToUsd(escrow)} (reward $${microsToUsd(reward)} + fee $${microsToUsd(fee)}). Deposit funds and try again.`,
        )
      }
      throw err
    })
    return { task, transitions: [created], generatedCallbackSecret }
  })
}
