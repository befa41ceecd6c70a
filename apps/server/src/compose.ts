// The composition root: builds a context from the configuration — the store, blob store, mailer,
// chain and OpenID verifier that the deployment asks for. The only module that knows every port's
// implementations; verbs and workers see only the `Ctx` type (`context.ts`).
import pino from 'pino'
import { createBlobStore } from './blobs/create-blob-store.ts'
import { systemClock } from './clock.ts'
import type { Config } from './config.ts'
import { readPayoutKey } from './config-chain.ts'
import type { Ctx } from './context.ts'
import { prettyDestination, wantsPrettyLogs } from './log/pretty.ts'
import { createMailer } from './mail/mailer.ts'
import { createOidcVerifier } from './operators/external-tokens.ts'
import { type ChainPort, DevChain, NoChain } from './payments/chain.ts'
import { EvmChain } from './payments/evm-chain.ts'
import { loadSecrets } from './secrets.ts'
import { createStore } from './store/db.ts'

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

export interface ContextOptions {
  clock?: Ctx['clock']
  log?: Ctx['log']
  chain?: Ctx['chain']
  blobs?: Ctx['blobs']
  mailer?: Ctx['mailer']
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
  const log =
    opts.log ??
    pino(
      { level: config.logLevel, redact: LOG_REDACT_PATHS },
      wantsPrettyLogs(config, process.stdout.isTTY === true) ? prettyDestination(process.stdout) : undefined,
    )
  return {
    config,
    store: createStore(config, {
      poolSize: opts.poolSize ?? config.pgPoolSize,
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
