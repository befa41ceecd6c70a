import { type HumcliError, HumcliNetworkError } from '@humcli/sdk'
import { run } from './command.ts'

/** Exit codes of the agent commands (README, "Exit codes"). */
export const EXIT = {
  OK: 0,
  /** The API refused the request for another reason (403, 402, 422, 429, 5xx …). */
  FAILED: 1,
  /** Invalid command line or input: unknown option, bad flag value, a request the API calls invalid (400). */
  USAGE: 2,
  /** No API key, or the key was refused (401). */
  AUTH: 3,
  /** The task (or key, endpoint) does not exist or is not yours (404). */
  NOT_FOUND: 4,
  /** The server could not be reached or did not answer in time. */
  UNREACHABLE: 5,
  /** The request conflicts with the current state (409: wrong status, already done). */
  CONFLICT: 6,
  /** `tasks wait`: the task ended CANCELLED. */
  CANCELLED: 10,
  /** `tasks wait`: the task ended DISPUTED. */
  DISPUTED: 11,
  /** `tasks wait`: the task is in MANUAL_REVIEW and needs a decision (`tasks verify`). */
  MANUAL_REVIEW: 12,
  /** The profile file cannot be read (and, for `serve`, a server setting is wrong). */
  CONFIG: 78,
  /** `tasks wait --timeout` ran out. */
  TIMEOUT: 124,
} as const

/** A failure the CLI reports as one line on stderr and an exit code; never a stack trace. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
    this.name = 'CliFailure'
  }
}

function exitCodeOf(err: HumcliError): number {
  if (err.kind === 'network' || err.kind === 'timeout') return EXIT.UNREACHABLE
  if (err.code === 'NO_API_KEY' || err.status === 401) return EXIT.AUTH
  switch (err.status) {
    case 400:
      return EXIT.USAGE
    case 404:
      return EXIT.NOT_FOUND
    case 409:
      return EXIT.CONFLICT
    default:
      return EXIT.FAILED
  }
}

export interface FailureContext {
  /** What was being done, e.g. `tasks get task_abc`. */
  what: string
  apiUrl: string
  keySource: string
  /** The flag that sets an API field, when it came from the command line (`location` → `--lat/--lng`). */
  flagFor?: (field: string) => string | null
}

/** " Set it with --lat/--lng." for the first invalid field the command line can set. */
function flagHint(err: HumcliError, c: FailureContext): string {
  if (!c.flagFor || !Array.isArray(err.details)) return ''
  for (const d of err.details as { path?: unknown }[]) {
    const flag = typeof d.path === 'string' ? c.flagFor(d.path) : null
    if (flag) return ` Set it with ${flag}.`
  }
  return ''
}

/** An SDK error as one line: what failed, why, and what to do. */
export function describeFailure(err: HumcliError, c: FailureContext): CliFailure {
  const code = exitCodeOf(err)
  const ref =
    err.status === null ? '' : ` [${err.status} ${err.code}${err.requestId ? `, ${err.requestId}` : ''}]`
  if (code === EXIT.UNREACHABLE) {
    const why = err instanceof HumcliNetworkError ? err.reason : 'no answer in time'
    return new CliFailure(
      `${c.what} failed: cannot reach the humcli server at ${c.apiUrl} (${why}). Is it running? Start it with \`${run('serve')}\`, or point HUMCLI_API_URL at it.`,
      code,
    )
  }
  if (err.status === 401) {
    return new CliFailure(
      `${c.what} failed: the API key from ${c.keySource} was refused; check it, or run \`${run('register')}\` to create an agent.${ref}`,
      code,
    )
  }
  const hint =
    code === EXIT.NOT_FOUND ? ` Check the id: \`${run('tasks list')}\` shows yours.` : flagHint(err, c)
  return new CliFailure(`${c.what} failed: ${err.message}${hint}${ref}`, code)
}
