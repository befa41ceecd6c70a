import { ConfigError, duration, type Env, int } from './config-read.ts'

/**
 * The job runner's lanes (ADR 0013): each lane runs only its own job kinds, with its own number
 * of slots, so slow work of one kind (a webhook target that never answers) cannot hold up the
 * others (Guardian reviews, mail, payouts, timers, sandbox steps). `src/jobs/lanes.ts` maps kinds.
 */
export const JOB_LANES = ['deliveries', 'timers', 'guardian', 'mail', 'payouts', 'sandbox'] as const
export type JobLane = (typeof JOB_LANES)[number]

export interface JobsConfig {
  /** Jobs of a lane that run at once in one process. */
  jobLanes: Record<JobLane, number>
  /** Webhook attempts of one agent that run at once in one process, so one agent cannot fill the lane. */
  webhookAgentConcurrency: number
  /** On SIGTERM, how long running jobs may finish; then those still running are released for another worker. */
  jobDrainMs: number
  /** What the `retention.prune` job deletes, and how (ADR 0025). */
  retention: RetentionConfig
  /** How often `retention.analyze` looks for PostgreSQL tables whose statistics are stale. */
  analyzeEveryMs: number
}

/** Retention periods in ms; null = never pruned (`off`). */
export interface RetentionConfig {
  /** Finished jobs (done, or failed after their last attempt), after they finished. */
  jobsMs: number | null
  /** Delivered webhook deliveries, after delivery; undelivered ones are never pruned. */
  deliveriesMs: number | null
  /** Outbox events fanned out into deliveries, after they were. */
  outboxMs: number | null
  /** How often the job runs when it has caught up. */
  everyMs: number
  /** Rows per DELETE statement. */
  batch: number
}

const DAY = 86_400_000

function retentionConfig(env: Env): RetentionConfig {
  return {
    jobsMs: duration(env, 'HUMCLI_RETAIN_JOBS', 7 * DAY, true),
    deliveriesMs: duration(env, 'HUMCLI_RETAIN_DELIVERIES', 30 * DAY, true),
    outboxMs: duration(env, 'HUMCLI_RETAIN_OUTBOX', 7 * DAY, true),
    everyMs: duration(env, 'HUMCLI_RETAIN_EVERY', 10 * 60_000) as number,
    batch: int(env, 'HUMCLI_RETAIN_BATCH', 1000, 1),
  }
}

const DEFAULT_SLOTS: Omit<Record<JobLane, number>, 'deliveries'> = {
  timers: 4,
  guardian: 2,
  mail: 2,
  payouts: 2,
  sandbox: 4,
}

/** `HUMCLI_JOB_LANES=guardian=4,mail=1` overrides the slots of the lanes it names. */
function laneSlots(env: Env): Record<JobLane, number> {
  const slots: Record<JobLane, number> = {
    deliveries: int(env, 'HUMCLI_JOB_CONCURRENCY', 16, 1),
    ...DEFAULT_SLOTS,
  }
  for (const part of (env.HUMCLI_JOB_LANES ?? '').split(',').filter(Boolean)) {
    const [name, value] = part.split('=').map((s) => s.trim())
    const n = Number(value)
    if (!(JOB_LANES as readonly string[]).includes(name ?? '') || !Number.isInteger(n) || n < 1) {
      throw new ConfigError(
        `HUMCLI_JOB_LANES must be lane=slots pairs separated by commas (lanes: ${JOB_LANES.join(', ')}; ` +
          `slots ≥ 1), for example guardian=4,mail=2; got "${part}".`,
      )
    }
    slots[name as JobLane] = n
  }
  return slots
}

export function jobsConfig(env: Env): JobsConfig {
  return {
    jobLanes: laneSlots(env),
    webhookAgentConcurrency: int(env, 'HUMCLI_WEBHOOK_AGENT_CONCURRENCY', 2, 1),
    jobDrainMs: int(env, 'HUMCLI_JOB_DRAIN_MS', 10_000),
    retention: retentionConfig(env),
    analyzeEveryMs: duration(env, 'HUMCLI_ANALYZE_EVERY', 60_000) as number,
  }
}
