// `npm run bench:startup`: how long the compiled `humcli` takes to start, as ratios against
// `node -e 0` measured in the same run (issue 11's targets: `humcli --version` ≤ 3×,
// `humcli tasks get` ≤ 4×; `serve` to a 200 from /healthz under 1.5 s).
// Each command runs BENCH_RUNS times (default 15) in alternation with the reference, so drift in
// the machine's speed hits both alike; the median is reported.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, startProcess } from './lib.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const BIN = path.join(ROOT, 'bin', 'humcli.js')

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function timeOnce(args: string[], env: Record<string, string> = {}): number {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'pipe' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

/** `serve` on a fresh data folder until /healthz answers 200. */
async function serveToHealthz(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-startup-'))
  const t0 = process.hrtime.bigint()
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, HUMCLI_DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString()
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(out)
        if (m) resolve(m[1]!)
      })
      child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)))
    })
    for (;;) {
      const res = await fetch(`${url}/healthz`).catch(() => null)
      if (res?.status === 200) break
      await new Promise((r) => setTimeout(r, 5))
    }
    return Number(process.hrtime.bigint() - t0) / 1e6
  } finally {
    child.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

async function main() {
  // A server and a sandbox task for `tasks get` (it needs an answer to print).
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-startup-srv-'))
  const { child, url } = await startProcess([BIN, 'serve'], {
    HUMCLI_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
  })
  try {
    const reg = await fetch(`${url}/api/v1/agents/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'startup bench', email: `bench-${Date.now()}@example.com` }),
    }).then((r) => r.json() as Promise<{ api_key: string }>)
    const task = await fetch(`${url}/api/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': reg.api_key },
      body: JSON.stringify({
        title: 'Startup bench task',
        description: 'A task to read back',
        task_type: 'DATA_VALIDATION',
        reward_usd: 1,
        deadline: new Date(Date.now() + 86_400_000).toISOString(),
        proof_requirements: ['a note'],
      }),
    }).then((r) => r.json() as Promise<{ task_id: string }>)
    if (!task.task_id) throw new Error(`could not create the task: ${JSON.stringify(task)}`)
    const clientEnv = { HUMCLI_API_URL: url, HUMCLI_API_KEY: reg.api_key, HOME: dataDir }

    const rows = { reference: [] as number[], version: [] as number[], tasksGet: [] as number[] }
    for (let i = 0; i < RUNS; i++) {
      rows.reference.push(timeOnce(['-e', '0']))
      rows.version.push(timeOnce([BIN, '--version']))
      rows.tasksGet.push(timeOnce([BIN, 'tasks', 'get', task.task_id], clientEnv))
    }
    const serve: number[] = []
    for (let i = 0; i < Math.min(RUNS, 5); i++) serve.push(await serveToHealthz())

    const ref = median(rows.reference)
    const line = (name: string, xs: number[], target: string, met: boolean) =>
      `| ${name} | ${median(xs).toFixed(0)} ms | ${(median(xs) / ref).toFixed(2)}× | ${target} | ${met ? 'yes' : 'no'} |`
    const table = [
      `Startup, ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)} at the end; median of ${RUNS} runs (serve: ${serve.length}).`,
      '',
      '| command | median | × `node -e 0` | target | met |',
      '|---|---|---|---|---|',
      `| \`node -e 0\` (reference) | ${ref.toFixed(0)} ms | 1.00× | | |`,
      line('`humcli --version`', rows.version, '≤ 3×', median(rows.version) / ref <= 3),
      line('`humcli tasks get <id>`', rows.tasksGet, '≤ 4×', median(rows.tasksGet) / ref <= 4),
      `| \`humcli serve\` → 200 from /healthz | ${median(serve).toFixed(0)} ms | ${(median(serve) / ref).toFixed(2)}× | < 1500 ms | ${median(serve) < 1500 ? 'yes' : 'no'} |`,
    ].join('\n')
    console.log(table)
    fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'startup-latest.md'), `${table}\n`)
  } finally {
    child.kill('SIGTERM')
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
