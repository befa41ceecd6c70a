import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, RouteOptions } from 'fastify'
import pg from 'pg'
import pino, { type Logger } from 'pino'
import { ManualClock } from '../../src/clock.ts'
import { type Config, loadConfig } from '../../src/config.ts'
import type { Ctx } from '../../src/context.ts'
import { buildApp } from '../../src/http/app.ts'
import type { ChainPort } from '../../src/payments/chain.ts'
import { openContext } from '../../src/server.ts'
import { runDueJobs } from '../../src/worker/runner.ts'

export type Dialect = 'sqlite' | 'postgres'

export const PG_URL = process.env.HUMCLI_TEST_DATABASE_URL || null

/** SQLite always; PostgreSQL too when HUMCLI_TEST_DATABASE_URL is set. */
export const DIALECTS: Dialect[] = PG_URL ? ['sqlite', 'postgres'] : ['sqlite']

/** Runs a suite once per dialect. */
export function forEachDialect(name: string, fn: (dialect: Dialect) => void): void {
  for (const dialect of DIALECTS) describe(`${name} [${dialect}]`, () => fn(dialect))
}

export interface TestDb {
  dir: string
  databaseUrl: string
  databaseSchema: string | null
  drop(): Promise<void>
}

/** A fresh database: a new SQLite file in a temp folder, or a fresh PostgreSQL schema. */
export async function freshDatabase(dialect: Dialect): Promise<TestDb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-test-'))
  if (dialect === 'sqlite') {
    return {
      dir,
      databaseUrl: `sqlite:${path.join(dir, 'test.sqlite')}`,
      databaseSchema: null,
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    }
  }
  const schema = `t_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: PG_URL! })
  await client.connect()
  await client.query(`create schema ${schema}`)
  await client.end()
  return {
    dir,
    databaseUrl: PG_URL!,
    databaseSchema: schema,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL! })
      await c.connect()
      await c.query(`drop schema if exists ${schema} cascade`)
      await c.end()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The response check of `scripts/run-tests.mjs` (HUMCLI_VALIDATE_RESPONSES…), for in-process and child servers. */
export function responseCheckEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const name of ['HUMCLI_VALIDATE_RESPONSES', 'HUMCLI_RESPONSE_VIOLATIONS_FILE']) {
    const value = process.env[name]
    if (value) env[name] = value
  }
  return env
}

export function testConfig(db: TestDb, overrides: Partial<Config> = {}): Config {
  return loadConfig(responseCheckEnv(), {
    env: 'development',
    dataDir: db.dir,
    databaseUrl: db.databaseUrl,
    databaseSchema: db.databaseSchema,
    logLevel: 'silent',
    rateLimitPerMinute: 0,
    signupRateLimitPerMinute: 0,
    loginRateLimitPerMinute: 0,
    workers: false,
    ...overrides,
  })
}

export interface TestServer {
  ctx: Ctx
  clock: ManualClock
  url: string
  db: TestDb
  /** Runs every job due by the manual clock. */
  runJobs(): Promise<number>
  close(): Promise<void>
}

/** Ports a test may replace with a stand-in for an outside service (e.g. a chain whose payouts fail). */
export interface TestServerOptions {
  chain?: ChainPort
  log?: Logger
  /** Sees every route the app adds (`buildApp`'s `onRoute`). */
  onRoute?: (route: RouteOptions) => void
}

/** A real Fastify server on a random loopback port, over a fresh database, with a manual clock. */
export async function startTestServer(
  dialect: Dialect,
  overrides: Partial<Config> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const db = await freshDatabase(dialect)
  const clock = new ManualClock()
  const config = testConfig(db, overrides)
  let ctx: Ctx | undefined
  let app: FastifyInstance | undefined
  let address: string
  try {
    ctx = await openContext(config, {
      clock,
      log: options.log ?? pino({ level: 'silent' }),
      poolSize: 20,
      chain: options.chain,
    })
    app = await buildApp(ctx, { onRoute: options.onRoute })
    address = await app.listen({ port: 0, host: '127.0.0.1' })
  } catch (err) {
    // Never leave a schema or temp folder behind when a server fails to start.
    await app?.close().catch(() => {})
    await ctx?.store.close().catch(() => {})
    await db.drop().catch(() => {})
    throw err
  }
  return {
    ctx,
    clock,
    url: address,
    db,
    async runJobs() {
      const ran = await runDueJobs(ctx!)
      // Its promise, checked on every call: nothing due is left queued when it returns.
      const left = await ctx!.store.db
        .selectFrom('jobs')
        .select(['id', 'kind'])
        .where('status', '=', 'queued')
        .where('run_at', '<=', clock.now().toISOString())
        .execute()
      if (left.length > 0) {
        throw new Error(
          `runDueJobs returned with due jobs still queued: ${left.map((j) => `${j.kind}#${j.id}`).join(', ')}`,
        )
      }
      return ran
    },
    async close() {
      await app!.close()
      await ctx!.store.close()
      await db.drop()
    },
  }
}

/** One server per suite: started before its tests, closed after. */
export function useServer(
  dialect: Dialect,
  overrides: Partial<Config> = {},
  options: TestServerOptions = {},
): () => TestServer {
  let server: TestServer | undefined
  before(async () => {
    server = await startTestServer(dialect, overrides, options)
  })
  after(async () => {
    await server?.close()
  })
  return () => {
    if (!server) throw new Error('server not started')
    return server
  }
}

// ── `humcli` as a subprocess (CLI and multi-process tests) ──────────────────────────────────────

export const HUMCLI_BIN = fileURLToPath(new URL('../../bin/humcli.js', import.meta.url))

/** The environment of a `humcli` child: only what is given, so nothing leaks in from the test run. */
export function humcliEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    ...responseCheckEnv(),
    ...env,
  }
}

/**
 * The environment that points a `humcli` child at a test database. SQLite too names its file:
 * the data folder alone would mean `humcli.sqlite` there, not the suite's `test.sqlite`.
 */
export function dbEnv(db: TestDb): Record<string, string> {
  return db.databaseSchema
    ? { HUMCLI_DATA_DIR: db.dir, DATABASE_URL: db.databaseUrl, HUMCLI_DB_SCHEMA: db.databaseSchema }
    : { HUMCLI_DATA_DIR: db.dir, DATABASE_URL: db.databaseUrl }
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs `node bin/humcli.js <args>` to completion; killed (and the result says so) after `timeoutMs`. */
export function runHumcli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HUMCLI_BIN, ...args], { env: humcliEnv(env) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

export interface HumcliServer {
  url: string
  child: ChildProcess
  output(): { stdout: string; stderr: string }
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. Safe to call twice. */
  stop(): Promise<void>
}

/** Starts `node bin/humcli.js serve` and waits (at most `timeoutMs`) for the URL it prints. */
export async function startHumcliServe(
  env: Record<string, string>,
  args: string[] = [],
  timeoutMs = 120_000,
): Promise<HumcliServer> {
  const child = spawn(process.execPath, [HUMCLI_BIN, 'serve', ...args], { env: humcliEnv(env) })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const m = /listening on (http:\/\/\S+)/.exec(stdout)
    if (m) return { url: m[1]!, child, output: () => ({ stdout, stderr }), stop }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`humcli serve did not start (exit ${child.exitCode}):\n${stdout}\n${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
}
