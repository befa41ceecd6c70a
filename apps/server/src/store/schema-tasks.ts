/** Row types of tasks, their history and ratings, and the proof files and photo hashes (see `schema.ts`). */
import type { Generated } from 'kysely'
import type { TaskStatus } from '../domain/lifecycle.ts'

export interface TasksTable {
  id: string
  agent_id: string
  title: string
  description: string
  task_type: string
  domain: string
  reward_micros: bigint
  fee_micros: bigint
  escrow_micros: bigint
  deadline: string
  proof_requirements: string
  location_lat: number | null
  location_lng: number | null
  location_address: string | null
  location_radius_m: bigint
  digital_instructions: string | null
  agent_public_key: string | null
  callback_url: string | null
  callback_secret: string | null
  metadata: string | null
  /** One of the lifecycle's statuses (`TRANSITIONS` in domain/lifecycle.ts). */
  status: TaskStatus
  version: bigint
  sandbox: bigint
  operator_id: string | null
  estimate: string | null
  proof: string | null
  /** AES-256-GCM ciphertext under the master key; never returned to the operator again. */
  credentials: string | null
  guardian_result: string | null
  verify_reason: string | null
  resolution: string | null
  submit_attempts: bigint
  cancel_reason: string | null
  created_at: string
  accepted_at: string | null
  started_at: string | null
  submitted_at: string | null
  completed_at: string | null
  cancelled_at: string | null
  updated_at: string
  /** Set when the retention period purged the credentials (migration 0006); retrieval is then 410. */
  credentials_purged_at: string | null
  /** The grid cell (0.01° band of latitude, `geoCell`) of the location, null without one (migrations 0018, 0023). */
  geo_cell: bigint | null
}

/** Tasks per (scope, status, task_type): scope is an agent id or `market:<shard>` (migration 0018). */
export interface TaskCountsTable {
  scope: string
  status: string
  task_type: string
  n: bigint
}

/** A change to a `task_counts` counter not yet folded into it (PostgreSQL status changes). */
export interface TaskCountDeltasTable {
  id: Generated<bigint>
  scope: string
  status: string
  task_type: string
  n: bigint
}

export interface TaskTransitionsTable {
  id: Generated<bigint>
  task_id: string
  from_status: string | null
  to_status: string
  actor: string
  reason: string | null
  at: string
}

export interface TaskRatingsTable {
  task_id: string
  agent_id: string
  operator_id: string
  score: bigint
  comment: string | null
  created_at: string
}

export interface FilesTable {
  id: string
  owner_kind: string
  owner_id: string
  task_id: string | null
  purpose: string
  content_type: string
  size_bytes: bigint
  storage_key: string
  encrypted: bigint
  created_at: string
}

/** Perceptual hashes of stored proof photos (the Guardian's reuse index). */
export interface PhotoHashesTable {
  file_id: string
  task_id: string
  operator_id: string
  hash: string
  created_at: string
}

/** One row per 16-bit band of a photo hash (`hashBands`), keyed `<position>:<hex>`. */
export interface PhotoHashBandsTable {
  band: string
  file_id: string
}

/** A dispute an admin resolved by paying the operator: the agent's rejection was overturned (migration 0006). */
export interface OverturnedRejectionsTable {
  task_id: string
  agent_id: string
  admin_id: string
  outcome: string
  at: string
}
