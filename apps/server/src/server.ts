import type { FastifyInstance } from 'fastify'
import { foldDailyStats } from './admin/daily-stats.ts'
import { type Clock, systemClock } from './clock.ts'
import { type ContextOptions, createContext } from './compose.ts'
import { type Config, loadConfig } from './config.ts'
import type { Ctx } from './context.ts'
import {
  callbackSecretPurpose,
  endpointSecretPurpose,
  isSealedSecret,
  sealSecret,
} from './credentials/at-rest.ts'
import { buildApp } from './http/app.ts'
import { scheduleWatcher } from './payments/watch-deposits.ts'
import { scheduleStatistics } from './retention/analyze.ts'
import { scheduleRetention } from './retention/prune.ts'
import type { Secrets } from './secrets.ts'
import { type MigrationHelpers, migrateToLatest } from './store/migrate.ts'
import { replayableCreateAnswer } from './tasks/replayable-answer.ts'
import { startWorker } from './worker/runner.ts'

/** What data migrations need from above the store: sealing under this master key, and API rules. */
export function migrationHelpers(secrets: Secrets, clock: Clock = systemClock): MigrationHelpers {
  return {
    sealEndpointSecret: (id, v) => sealSecret(secrets, endpointSecretPurpose(id), v),
    sealCallbackSecret: (id, v) => sealSecret(secrets, callbackSecretPurpose(id), v),
    isSealed: isSealedSecret,
    replayableCreateAnswer,
    foldDailyStats: (db, dialect) => foldDailyStats(db, dialect, clock.now()),
  }
}

/** Creates the context and brings the database schema up to date. */
export async function openContext(config: Config = loadConfig(), opts: ContextOptions = {}): Promise<Ctx> {
  const ctx = createContext(config, opts)
  await migrateToLatest(ctx.store.db as never, ctx.store.dialect, migrationHelpers(ctx.secrets, ctx.clock))
  return ctx
}

export interface RunningServer {
  ctx: Ctx
  app: FastifyInstance
  url: string
  stop(): Promise<void>
}

/** `humcli serve`: the API and the job workers in one process. */
export async function startServer(config: Config, opts: ContextOptions = {}): Promise<RunningServer> {
  const ctx = await openContext(config, { backgroundCheckpoints: true, ...opts })
  try {
    await ctx.blobs.check?.()
    await ctx.chain.check?.()
    await scheduleWatcher(ctx)
    await scheduleRetention(ctx)
    await scheduleStatistics(ctx)
  } catch (err) {
    await ctx.store.close()
    throw err
  }
  const app = await buildApp(ctx)
  let address: string
  try {
    address = await app.listen({ port: config.port, host: config.host })
  } catch (err) {
    await app.close()
    await ctx.store.close()
    await ctx.blobs.close?.()
    throw err
  }
  const stopWorker = config.workers ? startWorker(ctx) : async () => {}
  return {
    ctx,
    app,
    url: address.replace('0.0.0.0', '127.0.0.1'),
    async stop() {
      await stopWorker()
      await app.close()
      await ctx.store.close()
      await ctx.blobs.close?.()
    },
  }
}
