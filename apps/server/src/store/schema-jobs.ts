/** Row types of side effects and bookkeeping: outbox, webhooks, jobs, idempotency keys, workers, daily figures, retention (see `schema.ts`). */
import type { Generated } from 'kysely'

export interface OutboxTable {
  seq: Generated<bigint>
  id: string
  type: string
  agent_id: string | null
  operator_id: string | null
  task_id: string | null
  payload: string
  created_at: string
  /** Set when the event has been fanned out into `webhook_deliveries` (migration 0002). */
  dispatched_at: string | null
}

export interface WebhookEndpointsTable {
  id: string
  agent_id: string
  url: string
  /** JSON array of event types, or ["*"]. */
  events: string
  description: string | null
  secret: string
  /** The secret before the last rotation; still signed with until `previous_secret_expires_at`. */
  previous_secret: string | null
  previous_secret_expires_at: string | null
  failing_since: string | null
  disabled_at: string | null
  disabled_reason: string | null
  deleted_at: string | null
  created_at: string
}

export interface WebhookDeliveriesTable {
  id: string
  event_id: string
  event_type: string
  event_seq: bigint
  agent_id: string
  task_id: string | null
  /** `callback` (the task's callback_url) or a webhook endpoint id. */
  target: string
  payload: string
  event_at: string
  status: string
  attempts: bigint
  next_attempt_at: string
  /** Retries stop after this time (3 days after the event, or after a manual redelivery). */
  retry_until: string
  locked_until: string | null
  /** 1: the head of its (task, target) line, which an attempt may claim; 0: waiting behind it. */
  ready: bigint
  last_attempt_at: string | null
  last_url: string | null
  response_status: bigint | null
  response_body: string | null
  last_error: string | null
  duration_ms: bigint | null
  delivered_at: string | null
  created_at: string
}

export interface JobsTable {
  id: Generated<bigint>
  kind: string
  payload: string
  run_at: string
  status: string
  attempts: bigint
  max_attempts: bigint
  locked_by: string | null
  locked_until: string | null
  last_error: string | null
  created_at: string
  finished_at: string | null
  /** Jobs of one group (`agent:<id>` for webhook attempts) are capped per process; null = none. */
  group_key: string | null
}

export interface IdempotencyKeysTable {
  scope: string
  request_hash: string
  state: string
  response_status: bigint | null
  response_body: string | null
  created_at: string
  expires_at: string
  /** The process holding a `running` claim, and until when (renewed while it runs). */
  owner: string | null
  lease_until: string | null
  /** The committed business transaction's result (`encodeResult`), kept until the answer is stored. */
  result: string | null
}

export interface WorkersTable {
  id: string
  started_at: string
  last_seen_at: string
}

/** One closed UTC day of the console's figures (migration 0020, ADR 0023); money in micro-dollars. */
export interface DailyStatsTable {
  day: string
  tasks_created: bigint
  tasks_completed: bigint
  escrowed_micros: bigint
  released_micros: bigint
  refunded_micros: bigint
  fee_micros: bigint
  guardian_verified: bigint
  guardian_manual_review: bigint
  guardian_resubmit: bigint
  /** The exact median of the day's completions, rounded to the second; null when none completed. */
  median_completion_s: bigint | null
  folded_at: string
}

/** Rows pruned by `retention.prune`, per kind (`jobs.done`, `outbox`, …), since the first run (migration 0022). */
export interface RetentionTotalsTable {
  name: string
  pruned: bigint
  updated_at: string
}
