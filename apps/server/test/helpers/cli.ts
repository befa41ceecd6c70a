import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type CliResult, HUMCLI_BIN, humcliEnv } from './harness.ts'

/** Agent-side CLI tests: a fresh HOME per suite, so profiles never touch the user's own. */
export function tempHome(): { home: string; configFile: string; drop(): void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'humcli-home-'))
  return {
    home,
    configFile: path.join(home, '.config', 'humcli', 'config.json'),
    drop: () => fs.rmSync(home, { recursive: true, force: true }),
  }
}

export const lines = (s: string) => s.split('\n').filter((l) => l.trim() !== '')

export function assertOk(r: CliResult): void {
  assert.equal(r.code, 0, `exit ${r.code} (signal ${r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
}

/** A failure: the given exit code, exactly one line on stderr matching `pattern`, nothing on stdout. */
export function assertFails(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `expected exit ${code}, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`)
  assert.equal(lines(r.stderr).length, 1, `one line on stderr, got:\n${r.stderr}`)
  assert.match(r.stderr, /^humcli: /)
  assert.match(r.stderr, pattern)
  assert.doesNotMatch(r.stderr, /\n\s+at |Error:/, 'no stack trace')
  assert.equal(r.stdout, '', 'nothing on stdout')
}

export interface LiveCli {
  /** Resolves when stdout (so far) matches `pattern`; fails after `timeoutMs` (default 60 s). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
  done: Promise<CliResult>
}

/** Starts `humcli <args>` and lets the test act while it runs (for `tasks wait`). */
export function startHumcli(args: string[], env: Record<string, string>, killAfterMs = 120_000): LiveCli {
  const child = spawn(process.execPath, [HUMCLI_BIN, ...args], { env: humcliEnv(env) })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
  return {
    done,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        if (pattern.test(stdout)) return stdout
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `never printed ${pattern} (exit ${child.exitCode})\nstdout: ${stdout}\nstderr: ${stderr}`,
          )
        }
        await new Promise((r) => setTimeout(r, 25))
      }
    },
  }
}
