import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe } from 'node:test'
import pg from 'pg'
import pino from 'pino'
import { ManualClock } from '../../src/clock.ts'
import { type Config, loadConfig } from '../../src/config.ts'
import type { Ctx } from '../../src/context.ts'
import { buildApp } from '../../src/http/app.ts'
import { runDueJobs } from '../../src/jobs/runner.ts'
import { openContext } from '../../src/server.ts'

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

export function testConfig(db: TestDb, overrides: Partial<Config> = {}): Config {
  return loadConfig(
    {},
    {
      env: 'development',
      dataDir: db.dir,
      databaseUrl: db.databaseUrl,
      databaseSchema: db.databaseSchema,
      logLevel: 'silent',
      rateLimitPerMinute: 0,
      workers: false,
      ...overrides,
    },
  )
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

/** A real Fastify server on a random loopback port, over a fresh database, with a manual clock. */
export async function startTestServer(
  dialect: Dialect,
  overrides: Partial<Config> = {},
): Promise<TestServer> {
  const db = await freshDatabase(dialect)
  const clock = new ManualClock()
  const config = testConfig(db, overrides)
  const ctx = await openContext(config, { clock, log: pino({ level: 'silent' }), poolSize: 20 })
  const app = await buildApp(ctx)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    ctx,
    clock,
    url: address,
    db,
    runJobs: () => runDueJobs(ctx),
    async close() {
      await app.close()
      await ctx.store.close()
      await db.drop()
    },
  }
}

/** One server per suite: started before its tests, closed after. */
export function useServer(dialect: Dialect, overrides: Partial<Config> = {}): () => TestServer {
  let server: TestServer | undefined
  before(async () => {
    server = await startTestServer(dialect, overrides)
  })
  after(async () => {
    await server?.close()
  })
  return () => {
    if (!server) throw new Error('server not started')
    return server
  }
}
