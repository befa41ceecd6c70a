import { DEFAULT_WAIT_UNTIL, TASK_STATUSES, type Task, type TaskStatus, WaitTimeoutError } from '@humcli/sdk'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { withClient, withProfileFlag } from './client.ts'
import { run } from './command.ts'
import { CliFailure, EXIT } from './exit-codes.ts'
import { elapsed, out, parseDuration, printJson } from './format.ts'
import { liveLine } from './live-line.ts'
import { nextStep } from './task-view.ts'

interface WaitFlags {
  until?: TaskStatus[]
  timeout?: number
  interval: number
  maxInterval: number
  json?: boolean
}

function parseStatuses(value: string): TaskStatus[] {
  const list = value.split(',').map((s) => s.trim().toUpperCase())
  const bad = list.filter((s) => !(TASK_STATUSES as readonly string[]).includes(s))
  if (bad.length || list.length === 0) {
    throw new InvalidArgumentError(`unknown status ${bad.join(', ')}; use ${TASK_STATUSES.join(', ')}.`)
  }
  return list as TaskStatus[]
}

/** The exit for the status the wait ended in: 0 for COMPLETED or a status asked for with --until. */
function outcome(t: Task, asked: readonly TaskStatus[] | undefined, took: string): void {
  if (t.status === 'COMPLETED' || asked?.includes(t.status)) return
  switch (t.status) {
    case 'CANCELLED':
      throw new CliFailure(
        `${t.task_id} ended CANCELLED after ${took}${t.cancel_reason ? ` (${t.cancel_reason})` : ''}; the escrow was refunded.`,
        EXIT.CANCELLED,
      )
    case 'DISPUTED':
      throw new CliFailure(
        `${t.task_id} is DISPUTED after ${took}: the escrow stays locked until an admin resolves it.`,
        EXIT.DISPUTED,
      )
    case 'MANUAL_REVIEW':
      throw new CliFailure(
        `${t.task_id} needs your decision (MANUAL_REVIEW): look with \`${run(`tasks get ${t.task_id}`)}\`, then \`${run(`tasks verify ${t.task_id} --approve`)}\` or --reject.`,
        EXIT.MANUAL_REVIEW,
      )
    default:
      return
  }
}

export function waitCommand(tasks: Command): void {
  withProfileFlag(tasks.command('wait <task_id>'))
    .description('Follow a task until it completes (or --until a status), printing each change')
    .option(
      '--until <statuses>',
      'stop at these statuses (comma-separated); default COMPLETED, CANCELLED, DISPUTED, MANUAL_REVIEW',
      parseStatuses,
    )
    .option('--timeout <duration>', 'give up after this long (e.g. 30m); default: no limit', parseDuration)
    .addOption(
      new Option('--interval <duration>', 'first pause between checks; grows ×1.5')
        .argParser(parseDuration)
        .default(5000, '5s'),
    )
    .addOption(
      new Option('--max-interval <duration>', 'longest pause between checks')
        .argParser(parseDuration)
        .default(60_000, '60s'),
    )
    .option('--json', 'print only the final task as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 COMPLETED (or the --until status), 10 CANCELLED, 11 DISPUTED,',
        '            12 MANUAL_REVIEW (needs your decision), 124 timed out.',
        '',
        'Example:',
        '  humcli tasks wait task_abc123 --until ESTIMATE_PENDING',
        '  humcli tasks wait task_abc123 --timeout 2h',
      ].join('\n'),
    )
    .action(async (id: string, f: WaitFlags, cmd: Command) => {
      const started = Date.now()
      const until = f.until ?? DEFAULT_WAIT_UNTIL
      const live = liveLine(id, started)
      const say = (line: string) => {
        live.clear()
        if (f.json) process.stderr.write(`${line}\n`)
        else out(line)
      }
      try {
        const t = await withClient(cmd, `tasks wait ${id}`, async ({ humcli }) => {
          try {
            return await humcli.waitForTask(id, {
              until,
              timeoutMs: f.timeout,
              initialDelayMs: f.interval,
              maxDelayMs: f.maxInterval,
              onStatus: (task, previous) => {
                const at = `[${elapsed(Date.now() - started).padStart(7)}]`
                say(previous === null ? `${at} ${task.status}` : `${at} ${previous} → ${task.status}`)
                const next = DEFAULT_WAIT_UNTIL.includes(task.status) ? null : nextStep(task)
                if (next) say(`           ${next}`)
                live.set(task.status)
              },
            })
          } catch (err) {
            if (err instanceof WaitTimeoutError) {
              const last = err.task as Task
              throw new CliFailure(
                `tasks wait ${id} gave up after ${elapsed(Date.now() - started)}: the task is still ${last.status}; run it again or raise --timeout.`,
                EXIT.TIMEOUT,
              )
            }
            throw err
          }
        })
        live.stop()
        const took = elapsed(Date.now() - started)
        if (f.json) printJson(t)
        else if (t.status === 'COMPLETED') out(`${t.task_id} COMPLETED after ${took}.`)
        outcome(t, f.until, took)
      } finally {
        live.stop()
      }
    })
}
