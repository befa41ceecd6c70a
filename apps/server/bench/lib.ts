// What both benchmarks share: starting a server process and a throwaway PostgreSQL schema.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

export const ROOT = path.resolve(import.meta.dirname, '..')
export const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/**
 * Starts `node <args>` in `cwd` (the repo) and resolves once it prints `ready`: by default its first
 * loopback URL, which `url` then holds.
 */
export function startProcess(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
  opts: { cwd?: string; ready?: RegExp } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const ready = opts.ready ?? /(http:\/\/127\.0\.0\.1:\d+)/
  return new Promise((resolve, reject) => {
    // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of every server process there (open it in
    // Chrome DevTools); NODE_OPTIONS may not carry --cpu-prof.
    const profile = process.env.BENCH_PROFILE_DIR
    const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`, ...args] : args
    const child = spawn(process.execPath, nodeArgs, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), timeoutMs)
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = ready.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, url: m[1] ?? '' })
      }
    })
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)))
  })
}

/** CPU time (user + system) a process has used so far, in seconds (Linux `/proc`). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

/**
 * CPU seconds used so far by the PostgreSQL backends connected to the bench's database (the
 * server's shared processes, such as the WAL writer, are not counted; other databases' users neither).
 */
export async function postgresCpuSeconds(): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL })
  await c.connect()
  try {
    const r = await c.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    )
    return r.rows.reduce((sum, row) => sum + cpuSeconds(row.pid), 0)
  } finally {
    await c.end()
  }
}

/** The 1-minute load average, for every figure a bench reports. */
export const loadAverage = () => os.loadavg()[0]!.toFixed(1)

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
    if (process.env.BENCH_KEEP_DATA === '1') console.error(`PostgreSQL schema kept: ${schema}`)
    else await c.query(`drop schema if exists ${schema} cascade`)
    await c.end()
  }
}

export const machine = () =>
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`

export interface JsonReply {
  status: number
  body: any
  headers: http.IncomingHttpHeaders
}

/** A JSON request over a keep-alive agent; resolves with the status, parsed body and headers. */
export function jsonCall(
  agent: http.Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<JsonReply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body)
    const req = http.request(
      url,
      { method, agent, headers: { ...headers, ...(data ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = ''
        res.on('data', (c) => (text += c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? JSON.parse(text) : null,
            headers: res.headers,
          }),
        )
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

/** `jsonCall` that throws on a status of 300 or more; resolves with the body. */
export async function jsonOk(
  agent: http.Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<Record<string, any>> {
  const r = await jsonCall(agent, url, method, headers, body)
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}
