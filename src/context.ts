import pino, { type Logger } from 'pino'
import type { CachedKey } from './agents/api-keys.ts'
import type { BlobStore } from './blobs/blob-store.ts'
import { createBlobStore } from './blobs/create-blob-store.ts'
import { type Clock, systemClock } from './clock.ts'
import type { Config } from './config.ts'
import { readPayoutKey } from './config-chain.ts'
import { createMailer, type Mailer } from './mail/mailer.ts'
import { createOidcVerifier, type OidcVerifier } from './operators/external-tokens.ts'
import { type ChainPort, DevChain, NoChain } from './payments/chain.ts'
import { EvmChain } from './payments/evm-chain.ts'
import { loadSecrets, type Secrets } from './secrets.ts'
import { createStore, type Store } from './store/db.ts'
import type { CachedTaskView } from './tasks/get-task.ts'

const SECRET_FIELDS = ['password', 'api_key', 'credentials', 'credential_notes', 'encrypted_credential']

/**
 * Never logged: keys and tokens in headers, and credential fields wherever an object carrying them
 * (a request body, a proof input, a task row) might be logged, at the top or one level down.
 */
export const LOG_REDACT_PATHS = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
]

/** Everything a verb or worker needs, passed explicitly: no module-level state. */
export interface Ctx {
  config: Config
  store: Store
  clock: Clock
  log: Logger
  blobs: BlobStore
  chain: ChainPort
  secrets: Secrets
  /** Outgoing mail (SMTP, the development mail folder, or none); used only by the `email.send` job. */
  mailer: Mailer
  /** The external OpenID issuer operators may sign in with (HUMCLI_OIDC_*), with its cached keys. */
  oidc: OidcVerifier | null
  /** Per-process caches; each says in its owner how it stays correct. */
  caches: {
    apiKeys: Map<string, CachedKey>
    taskViews: Map<string, CachedTaskView>
    /** `<issuer>|<sub>` → operator id (`provisionExternalOperator`). */
    externalSubjects: Map<string, string>
  }
}

export interface ContextOptions {
  clock?: Clock
  log?: Logger
  chain?: ChainPort
  blobs?: BlobStore
  mailer?: Mailer
  poolSize?: number
  /** SQLite WAL checkpoints on a worker thread: for `serve` and `worker`. */
  backgroundCheckpoints?: boolean
}

/** A real chain when HUMCLI_CHAIN_RPC_URL is set; else the dev chain, or none in production. */
function defaultChain(config: Config): ChainPort {
  if (config.chain) return new EvmChain(config, readPayoutKey(config.chain))
  return config.env === 'development' ? new DevChain() : new NoChain()
}

export function createContext(config: Config, opts: ContextOptions = {}): Ctx {
  const log = opts.log ?? pino({ level: config.logLevel, redact: LOG_REDACT_PATHS })
  return {
    config,
    store: createStore(config, {
      poolSize: opts.poolSize,
      backgroundCheckpoints: opts.backgroundCheckpoints,
      // A programming error caught in development and tests; production skips the check's cost.
      refuseNestedTx: config.env !== 'production',
      pageSize: config.sqlitePageSize,
      checkpointIntervalMs: config.sqliteCheckpointMs,
    }),
    clock: opts.clock ?? systemClock,
    log,
    blobs: opts.blobs ?? createBlobStore(config),
    chain: opts.chain ?? defaultChain(config),
    secrets: loadSecrets(config),
    mailer: opts.mailer ?? createMailer(config, log),
    oidc: createOidcVerifier(config),
    caches: { apiKeys: new Map(), taskViews: new Map(), externalSubjects: new Map() },
  }
}
