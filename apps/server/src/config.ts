import path from 'node:path'
import { type ChainConfig, chainConfig, presetUsdc } from './config-chain.ts'
import { address, bool, ConfigError, type Env, int, oneOf, pageSize } from './config-read.ts'
import {
  checkOidc,
  checkS3,
  type OidcConfig,
  oidcConfig,
  type S3Config,
  s3Config,
  webDir,
} from './config-sections.ts'
import { TIER_LIMITS, TIERS, type Tier, type TierLimits } from './domain/tiers.ts'

/**
 * The one place that reads the environment, with its two helpers: `config-read.ts` (one setting
 * at a time) and `config-sections.ts` (S3 storage, the OpenID issuer). Everything else receives a
 * `Config`. Durations are milliseconds, money is integer micro-dollars.
 */
export type KycMode = 'auto' | 'manual'
export type RunMode = 'development' | 'production'

export interface Config extends JobsConfig {
  env: RunMode
  port: number
  host: string
  dataDir: string
  /** `sqlite:<file>` by default, or a postgres:// URL. */
  databaseUrl: string
  /** SQLite: page size of a new database file, in bytes (ADR 0011); an existing file keeps its own. */
  sqlitePageSize: number
  /** SQLite: how often the background worker checkpoints the WAL, in ms (ADR 0011). */
  sqliteCheckpointMs: number
  /** PostgreSQL schema to use (tests use one per test); null = the server default. */
  databaseSchema: string | null
  /** PostgreSQL: connections in this process's pool (HUMCLI_PG_POOL_SIZE). */
  pgPoolSize: number
  masterKey: string | null
  /** Earlier master keys (HUMCLI_MASTER_KEY_PREVIOUS, comma-separated): still open secrets sealed under them. */
  previousMasterKeys: string[]
  publicUrl: string | null
  logLevel: string
  /** `auto`: human-readable lines on a terminal in development, JSON lines otherwise (`src/log/pretty.ts`). */
  logFormat: 'auto' | 'pretty' | 'json'
  kycMode: KycMode
  feeRateBps: number
  minFeeMicros: bigint
  estimateTtlMs: number
  manualReviewAutoApproveMs: number
  earningsHoldMs: number
  operatorMaxActiveTasks: number
  operatorTokenTtlS: number
  /** How long a browser session's refresh token lives without use, in ms (ADR 0015). */
  sessionTtlMs: number
  /** The built web app served at `/` (apps/web/dist); null = serve no web app. */
  webDir: string | null
  fileUrlTtlS: number
  idempotencyTtlMs: number
  idempotencyWaitMs: number
  /** A claimed key's lease, renewed while its request runs; a lapsed claim (dead process) is taken over. */
  idempotencyLeaseMs: number
  /** Testing only, refused in production: `point[:n]` kills the process the n-th time it reaches point (`src/faults.ts`). */
  faultCrashAt: string | null
  /** How often an idle lane looks for due jobs (PostgreSQL also wakes it by NOTIFY). */
  jobPollMs: number
  /** A webhook attempt that has not answered within this time is a failure (spec: 15 s). */
  webhookTimeoutMs: number
  workers: boolean
  /**
   * Test runs only (`scripts/run-tests.mjs` sets HUMCLI_VALIDATE_RESPONSES=1): every JSON 2xx body
   * is checked against its route's declared response schema, and a mismatch answers 500.
   */
  validateResponses: boolean
  /** With `validateResponses`: each mismatch is also appended to this file (the runner reads it). */
  responseViolationsFile: string | null
  bodyLimitBytes: number
  uploadMaxBytes: number
  uploadMaxFiles: number
  /** Largest photo accepted, in pixels (width × height), checked from the header before decoding. */
  uploadMaxPixels: number
  /** Guardian confidence at or above which proof is VERIFIED (spec §7: 90). */
  guardianVerifyAt: number
  /** Guardian confidence at or above which (and below `guardianVerifyAt`) proof goes to MANUAL_REVIEW (50). */
  guardianManualAt: number
  /** Slack around the work window for EXIF capture times (clock drift), in ms. */
  guardianTimeToleranceMs: number
  /** Optional vision model: an OpenAI-compatible base URL (…/v1), its key and model name. */
  guardianLlmUrl: string | null
  guardianLlmKey: string | null
  guardianLlmModel: string
  guardianLlmTimeoutMs: number
  rateLimitPerMinute: number
  /** Per client address: agent and operator registration (spec §1: limited per IP); 0 = off. */
  signupRateLimitPerMinute: number
  /** Per client address: operator login and following an email link; 0 = off. */
  loginRateLimitPerMinute: number
  /** Failed logins to one account from one address before each further try must wait (2^n s, ≤ 15 min). */
  loginFreeFailures: number
  /** Failed logins to one account per hour from all addresses before addresses it never signed in from are refused. */
  loginAccountFailuresPerHour: number
  authCacheMs: number
  taskViewCacheMs: number
  tierLimits: Record<Tier, TierLimits>
  /** Where uploaded files go: `local` (a folder in the data dir) or `s3` (see `s3`). */
  blobStore: BlobStoreKind
  /** Set when `blobStore` is `s3` (ADR 0008). */
  s3: S3Config | null
  /** When set, `/metrics` requires `Authorization: Bearer <token>`. */
  metricsToken: string | null
  /** Operator tokens from an external OpenID issuer (spec §2); null = only the server's own tokens. */
  oidc: OidcConfig | null
  /** Credentials are purged this long after a task completes (spec §5: 30 days). */
  credentialRetentionMs: number
  /** This many rejections overturned by admins within `overturnWindowMs` restrict an agent (0 = never). */
  overturnRestrictCount: number
  overturnWindowMs: number
  /** Smallest operator payout (spec §4: $10) and the gas fee taken from each (0 on the dev chain). */
  payoutMinMicros: bigint
  payoutGasFeeMicros: bigint
  /** Where agents send USDC (spec §4 `GET /agents/deposit-address`); null = not published. */
  depositAddress: string | null
  /** The USDC token contract on the deposit chain (default: USDC on Base, or the preset chain's). */
  usdcContract: string
  /** A real EVM chain for deposits and payouts (HUMCLI_CHAIN_*, ADR 0018); null = the dev chain or none. */
  chain: ChainConfig | null
  /** A wallet-binding challenge is valid this long (spec §4: 10 minutes). */
  walletChallengeTtlMs: number
  /** Delay between the simulated operator's steps on sandbox tasks. */
  sandboxStepMs: number
  /** `smtp://user:pass@host:587` (or smtps://); null = development mail folder, or no mail in production. */
  smtpUrl: string | null
  mailFrom: string
  emailVerificationTtlMs: number
  /** A new verification link may be requested once per this interval. */
  verificationResendMs: number
  /** A staff console session ends after this long without a refresh (12 h; others: `sessionTtlMs`). */
  staffSessionTtlMs: number
  /** Lifetime of the access token a console or dashboard session hands out (15 min). */
  browserAccessTtlS: number
  /** How long a staff set-up link works (72 h). */
  staffSetupTtlMs: number
  /** Failed staff logins per email within `staffLoginWindowMs` before further attempts are refused. */
  staffLoginMaxFailures: number
  staffLoginWindowMs: number
  /** How long an agent's dashboard login link works (15 min). */
  agentLoginLinkTtlMs: number
}

export type BlobStoreKind = 'local' | 's3'

export type { ChainConfig } from './config-chain.ts'
export { ConfigError } from './config-read.ts'
export type { OidcConfig, S3Config } from './config-sections.ts'

import { type JobsConfig, jobsConfig } from './config-jobs.ts'

const HOUR = 3_600_000

/** Circle's USDC contract on Base mainnet. */
export const USDC_ON_BASE = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'

/**
 * HUMCLI_TIER_LIMITS overrides the compat tier numbers, e.g.
 * `{"STANDARD":{"maxDailyTasks":1000,"maxTaskValue":20000,"maxDailySpend":100000}}` (dollars).
 */
function tierLimits(raw: string | undefined): Record<Tier, TierLimits> {
  const out = { ...TIER_LIMITS }
  if (!raw) return out
  let parsed: Record<string, Record<string, unknown>>
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw new ConfigError('HUMCLI_TIER_LIMITS must be JSON such as {"STANDARD":{"maxDailyTasks":1000}}.')
  }
  for (const [tier, limits] of Object.entries(parsed)) {
    if (!(TIERS as readonly string[]).includes(tier)) {
      throw new ConfigError(`HUMCLI_TIER_LIMITS names an unknown tier "${tier}"; use ${TIERS.join(', ')}.`)
    }
    const base = out[tier as Tier]
    const num = (key: string): number | undefined => {
      const v = limits[key]
      if (v === undefined) return undefined
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new ConfigError(`HUMCLI_TIER_LIMITS.${tier}.${key} must be a non-negative number.`)
      }
      return v
    }
    const usd = (v: number | undefined, fallback: bigint) =>
      v === undefined ? fallback : BigInt(Math.round(v * 1e6))
    out[tier as Tier] = {
      maxDailyTasks: num('maxDailyTasks') ?? base.maxDailyTasks,
      maxTaskValueMicros: usd(num('maxTaskValue'), base.maxTaskValueMicros),
      maxDailySpendMicros: usd(num('maxDailySpend'), base.maxDailySpendMicros),
    }
  }
  return out
}

/** HUMCLI_USDC_CONTRACT, else the preset chain's USDC, else USDC on Base. */
function usdcContract(env: Env): string {
  const given = address(env, 'HUMCLI_USDC_CONTRACT')
  if (given) return given
  if (env.HUMCLI_CHAIN_RPC_URL && env.HUMCLI_CHAIN_ID) {
    const preset = presetUsdc(Number(env.HUMCLI_CHAIN_ID))
    if (!preset) {
      throw new ConfigError(
        `HUMCLI_CHAIN_ID ${env.HUMCLI_CHAIN_ID} has no preset: set HUMCLI_USDC_CONTRACT to the USDC contract on that chain.`,
      )
    }
    return preset
  }
  return USDC_ON_BASE
}

/** A real chain needs the address deposits go to: the watcher and the verifier look for it. */
function checkChain(config: Config): void {
  if (config.chain && !config.depositAddress) {
    throw new ConfigError(
      'HUMCLI_CHAIN_RPC_URL is set but HUMCLI_DEPOSIT_ADDRESS is not: set it to the address agents send USDC to.',
    )
  }
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const runMode = oneOf(env, 'HUMCLI_ENV', ['development', 'production'] as const, 'development')
  const dataDir = path.resolve(env.HUMCLI_DATA_DIR || './data')
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'humcli.sqlite')}`
  const config: Config = {
    env: runMode,
    port: int(env, 'PORT', 8787),
    host: env.HOST || '127.0.0.1',
    dataDir,
    databaseUrl,
    databaseSchema: env.HUMCLI_DB_SCHEMA || null,
    pgPoolSize: int(env, 'HUMCLI_PG_POOL_SIZE', 10, 1),
    sqlitePageSize: pageSize(env, 'HUMCLI_SQLITE_PAGE_SIZE', 1024),
    sqliteCheckpointMs: int(env, 'HUMCLI_SQLITE_CHECKPOINT_MS', 50, 10),
    masterKey: env.HUMCLI_MASTER_KEY || null,
    previousMasterKeys: (env.HUMCLI_MASTER_KEY_PREVIOUS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    publicUrl: env.HUMCLI_PUBLIC_URL || null,
    logLevel: env.LOG_LEVEL || 'info',
    logFormat: oneOf(env, 'HUMCLI_LOG_FORMAT', ['auto', 'pretty', 'json'] as const, 'auto'),
    kycMode: oneOf(env, 'HUMCLI_KYC_MODE', ['auto', 'manual'] as const, 'auto'),
    feeRateBps: int(env, 'HUMCLI_FEE_RATE_BPS', 500),
    minFeeMicros: BigInt(int(env, 'HUMCLI_MIN_FEE_MICROS', 1_000_000)),
    estimateTtlMs: int(env, 'HUMCLI_ESTIMATE_TTL_MS', HOUR, 1),
    manualReviewAutoApproveMs: int(env, 'HUMCLI_MANUAL_REVIEW_TTL_MS', 72 * HOUR, 1),
    earningsHoldMs: int(env, 'HUMCLI_EARNINGS_HOLD_MS', 48 * HOUR),
    operatorMaxActiveTasks: int(env, 'HUMCLI_OPERATOR_MAX_ACTIVE_TASKS', 5, 1),
    operatorTokenTtlS: int(env, 'HUMCLI_OPERATOR_TOKEN_TTL_S', 3600, 60),
    sessionTtlMs: int(env, 'HUMCLI_SESSION_TTL_MS', 30 * 24 * HOUR, 60_000),
    webDir: webDir(env),
    fileUrlTtlS: int(env, 'HUMCLI_FILE_URL_TTL_S', 3600, 10),
    idempotencyTtlMs: int(env, 'HUMCLI_IDEMPOTENCY_TTL_MS', 7 * 24 * HOUR),
    idempotencyWaitMs: int(env, 'HUMCLI_IDEMPOTENCY_WAIT_MS', 5000),
    idempotencyLeaseMs: int(env, 'HUMCLI_IDEMPOTENCY_LEASE_MS', 15_000, 100),
    faultCrashAt: env.HUMCLI_FAULT_CRASH_AT || null,
    jobPollMs: int(env, 'HUMCLI_JOB_POLL_MS', 500, 10),
    ...jobsConfig(env),
    webhookTimeoutMs: int(env, 'HUMCLI_WEBHOOK_TIMEOUT_MS', 15_000, 1),
    workers: env.HUMCLI_WORKERS !== 'off',
    validateResponses: bool(env, 'HUMCLI_VALIDATE_RESPONSES', false),
    responseViolationsFile: env.HUMCLI_RESPONSE_VIOLATIONS_FILE || null,
    bodyLimitBytes: int(env, 'HUMCLI_BODY_LIMIT_BYTES', 1_048_576, 1024),
    uploadMaxBytes: int(env, 'HUMCLI_UPLOAD_MAX_BYTES', 15 * 1024 * 1024, 1024),
    uploadMaxFiles: int(env, 'HUMCLI_UPLOAD_MAX_FILES', 10, 1),
    uploadMaxPixels: int(env, 'HUMCLI_UPLOAD_MAX_PIXELS', 50_000_000, 1),
    guardianVerifyAt: int(env, 'HUMCLI_GUARDIAN_VERIFY_AT', 90),
    guardianManualAt: int(env, 'HUMCLI_GUARDIAN_MANUAL_AT', 50),
    guardianTimeToleranceMs: int(env, 'HUMCLI_GUARDIAN_TIME_TOLERANCE_MS', 15 * 60_000),
    guardianLlmUrl: env.HUMCLI_GUARDIAN_LLM_URL || null,
    guardianLlmKey: env.HUMCLI_GUARDIAN_LLM_KEY || null,
    guardianLlmModel: env.HUMCLI_GUARDIAN_LLM_MODEL || 'gpt-4o-mini',
    guardianLlmTimeoutMs: int(env, 'HUMCLI_GUARDIAN_LLM_TIMEOUT_MS', 20_000, 1),
    rateLimitPerMinute: int(env, 'HUMCLI_RATE_LIMIT_PER_MINUTE', 600),
    signupRateLimitPerMinute: int(env, 'HUMCLI_SIGNUP_RATE_LIMIT_PER_MINUTE', 20),
    loginRateLimitPerMinute: int(env, 'HUMCLI_LOGIN_RATE_LIMIT_PER_MINUTE', 30),
    loginFreeFailures: int(env, 'HUMCLI_LOGIN_FREE_FAILURES', 5, 1),
    loginAccountFailuresPerHour: int(env, 'HUMCLI_LOGIN_ACCOUNT_FAILURES_PER_HOUR', 100, 1),
    authCacheMs: int(env, 'HUMCLI_AUTH_CACHE_MS', 5000),
    taskViewCacheMs: int(env, 'HUMCLI_TASK_VIEW_CACHE_MS', 5000),
    tierLimits: tierLimits(env.HUMCLI_TIER_LIMITS),
    blobStore: oneOf(env, 'HUMCLI_BLOB_STORE', ['local', 's3'] as const, 'local'),
    s3: env.HUMCLI_BLOB_STORE === 's3' ? s3Config(env) : null,
    metricsToken: env.HUMCLI_METRICS_TOKEN || null,
    oidc: oidcConfig(env),
    credentialRetentionMs: int(env, 'HUMCLI_CREDENTIAL_RETENTION_MS', 30 * 24 * HOUR, 1),
    overturnRestrictCount: int(env, 'HUMCLI_OVERTURN_RESTRICT_COUNT', 3),
    overturnWindowMs: int(env, 'HUMCLI_OVERTURN_WINDOW_MS', 30 * 24 * HOUR, 1),
    payoutMinMicros: BigInt(int(env, 'HUMCLI_PAYOUT_MIN_MICROS', 10_000_000)),
    payoutGasFeeMicros: BigInt(int(env, 'HUMCLI_PAYOUT_GAS_FEE_MICROS', 0)),
    depositAddress: address(env, 'HUMCLI_DEPOSIT_ADDRESS'),
    usdcContract: usdcContract(env),
    chain: chainConfig(env),
    walletChallengeTtlMs: int(env, 'HUMCLI_WALLET_CHALLENGE_TTL_MS', 10 * 60_000, 1000),
    sandboxStepMs: int(env, 'HUMCLI_SANDBOX_STEP_MS', 3000),
    smtpUrl: env.HUMCLI_SMTP_URL || null,
    mailFrom: env.HUMCLI_MAIL_FROM || 'humcli <no-reply@humcli.localhost>',
    emailVerificationTtlMs: int(env, 'HUMCLI_EMAIL_VERIFICATION_TTL_MS', 24 * HOUR, 1),
    verificationResendMs: int(env, 'HUMCLI_VERIFICATION_RESEND_MS', 60_000),
    staffSessionTtlMs: int(env, 'HUMCLI_STAFF_SESSION_TTL_MS', 12 * HOUR, 60_000),
    browserAccessTtlS: int(env, 'HUMCLI_BROWSER_ACCESS_TTL_S', 900, 30),
    staffSetupTtlMs: int(env, 'HUMCLI_STAFF_SETUP_TTL_MS', 72 * HOUR, 60_000),
    staffLoginMaxFailures: int(env, 'HUMCLI_STAFF_LOGIN_MAX_FAILURES', 5, 1),
    staffLoginWindowMs: int(env, 'HUMCLI_STAFF_LOGIN_WINDOW_MS', 15 * 60_000, 1000),
    agentLoginLinkTtlMs: int(env, 'HUMCLI_AGENT_LOGIN_LINK_TTL_MS', 15 * 60_000, 1000),
    ...overrides,
  }
  checkS3(config)
  checkOidc(config)
  checkChain(config)
  if (config.env === 'production' && !config.masterKey) {
    throw new ConfigError(
      'HUMCLI_MASTER_KEY is required when HUMCLI_ENV=production: set it to 32 random bytes in hex ' +
        '(for example the output of `openssl rand -hex 32`).',
    )
  }
  if (config.env === 'production' && config.faultCrashAt) {
    throw new ConfigError(
      'HUMCLI_FAULT_CRASH_AT is a testing hook and is refused when HUMCLI_ENV=production: unset it.',
    )
  }
  if (
    config.guardianManualAt > config.guardianVerifyAt ||
    config.guardianVerifyAt > 100 ||
    config.guardianManualAt > 100
  ) {
    throw new ConfigError(
      'HUMCLI_GUARDIAN_MANUAL_AT must be ≤ HUMCLI_GUARDIAN_VERIFY_AT, both between 0 and 100 ' +
        `(got ${config.guardianManualAt} and ${config.guardianVerifyAt}).`,
    )
  }
  if (config.smtpUrl && !/^smtps?:\/\/./.test(config.smtpUrl)) {
    throw new ConfigError(
      'HUMCLI_SMTP_URL must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587.',
    )
  }
  if (config.masterKey && !/^[0-9a-f]{64}$/i.test(config.masterKey)) {
    throw new ConfigError('HUMCLI_MASTER_KEY must be 64 hexadecimal characters (32 bytes).')
  }
  if (config.previousMasterKeys.some((k) => !/^[0-9a-f]{64}$/i.test(k))) {
    throw new ConfigError(
      'HUMCLI_MASTER_KEY_PREVIOUS must be earlier master keys of 64 hexadecimal characters each, separated by commas.',
    )
  }
  return config
}

export function isPostgres(config: Pick<Config, 'databaseUrl'>): boolean {
  return /^postgres(ql)?:\/\//.test(config.databaseUrl)
}
