/**
 * Row types. Every integer column reads back as bigint on both dialects (see `createDb`),
 * timestamps are ISO-8601 strings, JSON columns are text.
 */
import type { Kysely, Transaction } from 'kysely'
import type {
  AdminTokensTable,
  AgentDailyUsageTable,
  AgentLoginLinksTable,
  AgentsTable,
  ApiKeysTable,
  AuditLogTable,
  EmailVerificationsTable,
  LoginThrottleTable,
  OperatorsTable,
  SessionsTable,
  StaffLoginFailuresTable,
  StaffUsersTable,
  WalletChallengesTable,
} from './schema-identity.ts'
import type {
  DailyStatsTable,
  IdempotencyKeysTable,
  JobsTable,
  OutboxTable,
  RetentionTotalsTable,
  WebhookDeliveriesTable,
  WebhookEndpointsTable,
  WorkersTable,
} from './schema-jobs.ts'
import type {
  AccountsTable,
  ChainCursorsTable,
  ChainSendersTable,
  DepositsTable,
  LedgerEntriesTable,
  LedgerTransactionsTable,
  PayoutsTable,
  UnattributedTransfersTable,
} from './schema-money.ts'
import type {
  FilesTable,
  OverturnedRejectionsTable,
  PhotoHashBandsTable,
  PhotoHashesTable,
  TaskCountDeltasTable,
  TaskCountsTable,
  TaskRatingsTable,
  TasksTable,
  TaskTransitionsTable,
} from './schema-tasks.ts'

export type * from './schema-identity.ts'
export type * from './schema-jobs.ts'
export type * from './schema-money.ts'
export type * from './schema-tasks.ts'

export interface Database {
  agents: AgentsTable
  api_keys: ApiKeysTable
  agent_daily_usage: AgentDailyUsageTable
  operators: OperatorsTable
  admin_tokens: AdminTokensTable
  tasks: TasksTable
  task_transitions: TaskTransitionsTable
  task_counts: TaskCountsTable
  task_count_deltas: TaskCountDeltasTable
  task_ratings: TaskRatingsTable
  accounts: AccountsTable
  ledger_transactions: LedgerTransactionsTable
  ledger_entries: LedgerEntriesTable
  deposits: DepositsTable
  outbox: OutboxTable
  webhook_endpoints: WebhookEndpointsTable
  webhook_deliveries: WebhookDeliveriesTable
  jobs: JobsTable
  workers: WorkersTable
  idempotency_keys: IdempotencyKeysTable
  files: FilesTable
  payouts: PayoutsTable
  overturned_rejections: OverturnedRejectionsTable
  photo_hashes: PhotoHashesTable
  photo_hash_bands: PhotoHashBandsTable
  email_verifications: EmailVerificationsTable
  wallet_challenges: WalletChallengesTable
  staff_users: StaffUsersTable
  staff_login_failures: StaffLoginFailuresTable
  agent_login_links: AgentLoginLinksTable
  audit_log: AuditLogTable
  daily_stats: DailyStatsTable
  retention_totals: RetentionTotalsTable
  sessions: SessionsTable
  login_throttle: LoginThrottleTable

  unattributed_transfers: UnattributedTransfersTable
  chain_cursors: ChainCursorsTable
  chain_senders: ChainSendersTable
}

export type Db = Kysely<Database>
/** A handle that may be the database or an open transaction. */
export type Tx = Kysely<Database> | Transaction<Database>
