// What both benchmarks share: starting a server process and a throwaway PostgreSQL schema.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

export const ROOT = path.resolve(import.meta.dirname, '..')
export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Starts `node <args>` in the repo and resolves with the first loopback URL it prints. */
export function startProcess(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), timeoutMs)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, url: m[1]! })
      }
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
}

/** `humcli admin create-token` against the server's database; resolves with the printed token. */
export function createAdminToken(env: Record<string, string>): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const c = spawn(process.execPath, ['bin/humcli.js', 'admin', 'create-token', '--name', 'bench'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    let out = ''
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    c.on('exit', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error('admin create-token failed')),
    )
  })
}

/** Runs `fn` with a fresh PostgreSQL schema, dropped afterwards. */
export async function withPgSchema<T>(fn: (schema: string) => Promise<T>): Promise<T> {
  const schema = `bench_${randomBytes(4).toString('hex')}`
  const c = new pg.Client({ connectionString: PG_URL })
  await c.connect()
  await c.query(`create schema ${schema}`)
  try {
    return await fn(schema)
  } finally {
    await c.query(`drop schema if exists ${schema} cascade`)
    await c.end()
  }
}

export const machine = () =>
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`
