import path from 'node:path'
import pino, { type Logger } from 'pino'
import type { BlobStore } from './blobs/blob-store.ts'
import { LocalDiskBlobStore } from './blobs/local-disk.ts'
import { type Clock, systemClock } from './clock.ts'
import type { Config } from './config.ts'
import { type ChainPort, DevChain, NoChain } from './payments/chain.ts'
import { loadSecrets, type Secrets } from './secrets.ts'
import { createStore, type Store } from './store/db.ts'

/** Everything a verb or worker needs, passed explicitly: no module-level state. */
export interface Ctx {
  config: Config
  store: Store
  clock: Clock
  log: Logger
  blobs: BlobStore
  chain: ChainPort
  secrets: Secrets
}

export interface ContextOptions {
  clock?: Clock
  log?: Logger
  chain?: ChainPort
  blobs?: BlobStore
  poolSize?: number
}

export function createContext(config: Config, opts: ContextOptions = {}): Ctx {
  return {
    config,
    store: createStore(config, opts.poolSize),
    clock: opts.clock ?? systemClock,
    log:
      opts.log ??
      pino({ level: config.logLevel, redact: ['req.headers["x-api-key"]', 'req.headers.authorization'] }),
    blobs: opts.blobs ?? new LocalDiskBlobStore(path.join(config.dataDir, 'files')),
    chain: opts.chain ?? (config.env === 'development' ? new DevChain() : new NoChain()),
    secrets: loadSecrets(config),
  }
}
