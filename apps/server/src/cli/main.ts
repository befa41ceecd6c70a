import { Command, CommanderError } from 'commander'
import type { DomainError } from '../domain/errors.ts'
import { VERSION } from '../version.ts'
import { CliFailure, EXIT } from './exit-codes.ts'
import { endQuietlyOnClosedPipe } from './format.ts'

export { VERSION } from '../version.ts'

/**
 * Each top-level command and the module that builds it, loaded only when that command runs: an
 * agent's `humcli tasks get` must not pay for the server, the database drivers or the chain code
 * (issue 11's start-up targets, `npm run bench:startup`). Help and unknown commands load them all.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.ts')).serveCommand(),
  worker: async () => (await import('./serve.ts')).workerCommand(),
  migrate: async () => (await import('./serve.ts')).migrateCommand(),
  admin: async () => (await import('./admin.ts')).adminCommand(),
  // Agent side (a client of the API, through the SDK): README "Command line", exit codes in exit-codes.ts.
  register: async () => (await import('./account.ts')).registerCommand(),
  tasks: async () => (await import('./tasks.ts')).tasksCommand(),
  balance: async () => (await import('./account.ts')).balanceCommand(),
  deposit: async () => (await import('./account.ts')).depositCommand(),
  wallet: async () => (await import('./account.ts')).walletCommand(),
  keys: async () => (await import('./account.ts')).keysCommand(),
  mcp: async () => (await import('./mcp.ts')).mcpCommand(),
}

/** The program with the command `argv` names, or with every command (help, a typo, no command). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('humcli')
    .description(
      'humcli — AI agents hire verified humans. Run the server, administer it, and use it as an agent.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
  const named = argv.slice(2).find((a) => !a.startsWith('-'))
  const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS)
  for (const command of await Promise.all(wanted.map((name) => COMMANDS[name]!()))) {
    program.addCommand(command)
  }
  return program
}

/** Server-side commands (`serve`, `admin …`, `migrate`) fail with the agent commands' exit codes. */
function exitCodeOfServerSide(err: DomainError): number {
  if (err.code === 'VALIDATION_FAILED') return EXIT.USAGE
  if (err.code === 'NOT_FOUND') return EXIT.NOT_FOUND
  if (err.code === 'CONFLICT' || err.code === 'INVALID_STATE') return EXIT.CONFLICT
  return EXIT.FAILED
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe()
  const program = await buildProgram(argv)
  program.exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2
      return
    }
    if (err instanceof CliFailure) {
      process.stderr.write(`humcli: ${err.message}\n`)
      process.exitCode = err.exitCode
      return
    }
    // Loaded on this path only: the config module pulls in the address checks (secp256k1, keccak).
    const [{ ConfigError }, { DomainError }] = await Promise.all([
      import('../config.ts'),
      import('../domain/errors.ts'),
    ])
    if (err instanceof ConfigError || err instanceof DomainError) {
      process.stderr.write(`humcli: ${err.message}\n`)
      process.exitCode = err instanceof ConfigError ? EXIT.CONFIG : exitCodeOfServerSide(err)
      return
    }
    process.stderr.write(`humcli: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
}
