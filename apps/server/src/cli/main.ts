import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config.ts'
import { DomainError } from '../domain/errors.ts'
import { balanceCommand, depositCommand, keysCommand, registerCommand, walletCommand } from './account.ts'
import { adminCommand } from './admin.ts'
import { CliFailure, EXIT } from './exit-codes.ts'
import { endQuietlyOnClosedPipe } from './format.ts'
import { mcpCommand } from './mcp.ts'
import { migrateCommand, serveCommand, workerCommand } from './serve.ts'
import { tasksCommand } from './tasks.ts'
import { VERSION } from './version.ts'

export { VERSION } from './version.ts'

export function buildProgram(): Command {
  const program = new Command('humcli')
    .description(
      'humcli — AI agents hire verified humans. Run the server, administer it, and use it as an agent.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
  program.addCommand(serveCommand())
  program.addCommand(workerCommand())
  program.addCommand(migrateCommand())
  program.addCommand(adminCommand())
  // Agent side (a client of the API, through the SDK): README "Command line", exit codes in exit-codes.ts.
  program.addCommand(registerCommand())
  program.addCommand(tasksCommand())
  program.addCommand(balanceCommand())
  program.addCommand(depositCommand())
  program.addCommand(walletCommand())
  program.addCommand(keysCommand())
  program.addCommand(mcpCommand())
  return program
}

/** Server-side commands (`serve`, `admin …`, `migrate`) fail with the agent commands' exit codes. */
function exitCodeOfServerSide(err: ConfigError | DomainError): number {
  if (err instanceof ConfigError) return EXIT.CONFIG
  if (err.code === 'VALIDATION_FAILED') return EXIT.USAGE
  if (err.code === 'NOT_FOUND') return EXIT.NOT_FOUND
  if (err.code === 'CONFLICT' || err.code === 'INVALID_STATE') return EXIT.CONFLICT
  return EXIT.FAILED
}

export async function main(argv: string[]): Promise<void> {
  endQuietlyOnClosedPipe()
  const program = buildProgram()
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
    if (err instanceof ConfigError || err instanceof DomainError) {
      process.stderr.write(`humcli: ${err.message}\n`)
      process.exitCode = exitCodeOfServerSide(err)
      return
    }
    process.stderr.write(`humcli: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
}
