import path from 'node:path'
import { type Command, InvalidArgumentError } from 'commander'
import { cliCommand, run } from './command.ts'
import { CliFailure, EXIT } from './exit-codes.ts'
import { configFrom, parsePort, type ServerFlags } from './flags.ts'

// The server modules are loaded when a server command runs, not when `humcli` starts: the
// agent commands (`humcli tasks …`) start in a fraction of the time without them.
const serverModule = () => import('../server.ts')

/** `serve` and `worker` send payouts: the hot wallet's key may be named on the command line. */
const withPayoutKeyFlag = (cmd: Command) =>
  cmd.option(
    '--payout-key-file <file>',
    "file holding the payout hot wallet's private key, readable only by this user (HUMCLI_PAYOUT_KEY_FILE); never logged",
  )

const payoutKeyEnv = (flags: { payoutKeyFile?: string }) =>
  flags.payoutKeyFile ? { HUMCLI_PAYOUT_KEY_FILE: path.resolve(flags.payoutKeyFile) } : {}

const withServerFlags = (cmd: Command) =>
  cmd
    .option(
      '--data-dir <dir>',
      'where the SQLite file, uploads and generated secrets live (HUMCLI_DATA_DIR, default ./data)',
    )
    .option('--database-url <url>', 'postgres://… to use PostgreSQL instead of SQLite (DATABASE_URL)')

function onSignals(stop: () => Promise<void>) {
  let stopping = false
  const handler = async () => {
    if (stopping) return
    stopping = true
    await stop()
    process.exit(0)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
}

/** A busy port, said so: which port, and the two ways to choose another. */
function portInUse(err: unknown, config: { port: number; host: string }): CliFailure | null {
  if ((err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE') return null
  const next = config.port === 65535 ? 8788 : config.port + 1
  return new CliFailure(
    `port ${config.port} on ${config.host} is already in use (another humcli serve?). Stop that process, or choose another port: PORT=${next} (e.g. \`PORT=${next} npm start\`) or \`${run(`serve --port ${next}`)}\`.`,
    EXIT.CONFIG,
  )
}

export function serveCommand(): Command {
  return withPayoutKeyFlag(withServerFlags(cliCommand('serve')))
    .description('Run the API server and the job workers (SQLite in ./data by default)')
    .option('-p, --port <port>', 'port to listen on (PORT, default 8787)', parsePort)
    .option('--host <host>', 'address to bind (HOST, default 127.0.0.1)')
    .option('--no-workers', 'serve the API only; `humcli worker` processes run the jobs (HUMCLI_WORKERS=off)')
    .addHelpText(
      'after',
      '\nExample:\n  humcli serve --port 8787\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/humcli humcli serve' +
        '\n  DATABASE_URL=… humcli serve --no-workers --port 8788   # API only, next to `humcli worker`',
    )
    .action(
      async (
        flags: ServerFlags & { port?: number; host?: string; workers: boolean; payoutKeyFile?: string },
      ) => {
        const config = configFrom(flags, {
          ...payoutKeyEnv(flags),
          ...(flags.port !== undefined ? { PORT: String(flags.port) } : {}),
          ...(flags.host ? { HOST: flags.host } : {}),
          ...(flags.workers === false ? { HUMCLI_WORKERS: 'off' } : {}),
        })
        const server = await (await serverModule()).startServer(config).catch((err) => {
          throw portInUse(err, config) ?? err
        })
        const where =
          server.ctx.store.dialect === 'sqlite' ? config.databaseUrl.replace(/^sqlite:/, '') : 'PostgreSQL'
        const files =
          config.blobStore === 's3' && config.s3
            ? `s3 bucket ${config.s3.bucket} at ${config.s3.endpoint ?? `AWS ${config.s3.region}`}` +
              (config.s3.prefix ? ` under ${config.s3.prefix}/` : '')
            : path.join(config.dataDir, 'files')
        process.stdout.write(
          `humcli ${config.env} server listening on ${server.url}\n` +
            `  API:      ${server.url}/api/v1   (OpenAPI: ${server.url}/api/v1/openapi.json)\n` +
            `  docs:     ${server.url}/docs\n` +
            `  metrics:  ${server.url}/metrics   (${config.metricsToken ? 'bearer token required' : 'open: firewall it or set HUMCLI_METRICS_TOKEN'})\n` +
            `  database: ${where}\n  files:    ${files}\n  workers:  ${config.workers ? 'on' : 'off'}\n` +
            `  mail:     ${server.ctx.mailer.describe}\n`,
        )
        if (server.ctx.mailer.kind === 'none') {
          server.ctx.log.warn('HUMCLI_SMTP_URL is not set: verification emails cannot be sent')
        }
        onSignals(server.stop)
      },
    )
}

async function parseKinds(list: string) {
  const { WORK_KINDS } = await import('../jobs/lanes.ts')
  const known: readonly string[] = WORK_KINDS
  const kinds = list.split(',').map((k) => k.trim())
  const unknown = kinds.filter((k) => !known.includes(k))
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown job kind ${unknown.join(', ')}; the kinds are ${known.join(', ')}`,
    )
  }
  return kinds as (typeof WORK_KINDS)[number][]
}

export function workerCommand(): Command {
  return withPayoutKeyFlag(withServerFlags(cliCommand('worker')))
    .description('Run only the job workers (for extra processes sharing a PostgreSQL database)')
    .option('--kinds <list>', 'run only these job kinds, comma-separated, e.g. guardian.review,email.send')
    .action(async (flags: ServerFlags & { kinds?: string; payoutKeyFile?: string }) => {
      const kinds = flags.kinds ? await parseKinds(flags.kinds) : undefined
      const ctx = await (await serverModule()).openContext(configFrom(flags, payoutKeyEnv(flags)), {
        backgroundCheckpoints: true,
      })
      try {
        await ctx.blobs.check?.()
        await ctx.chain.check?.()
        await (await import('../payments/watch-deposits.ts')).scheduleWatcher(ctx)
        await (await import('../retention/prune.ts')).scheduleRetention(ctx)
        await (await import('../retention/analyze.ts')).scheduleStatistics(ctx)
      } catch (err) {
        await ctx.store.close()
        throw err
      }
      const stop = (await import('../worker/runner.ts')).startWorker(ctx, { kinds })
      process.stdout.write(
        `humcli worker running (${ctx.store.dialect}; kinds: ${kinds ? kinds.join(', ') : 'all'})\n`,
      )
      onSignals(async () => {
        await stop()
        await ctx.store.close()
        await ctx.blobs.close?.()
      })
    })
}

export function migrateCommand(): Command {
  return withServerFlags(cliCommand('migrate'))
    .description('Bring the database schema up to date (serve does this too); --create for a new database')
    .option('--create', 'make a new database if there is none (else refused)')
    .action(async (flags: ServerFlags & { create?: boolean }) => {
      const { openExistingDatabase } = await import('./open-database.ts')
      const ctx = await openExistingDatabase(configFrom(flags), flags)
      await ctx.store.close()
      process.stdout.write(`database schema is up to date (${ctx.store.dialect})\n`)
    })
}

export { withServerFlags }
