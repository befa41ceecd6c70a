import { Command, CommanderError } from 'commander'
import { ConfigError } from '../config.ts'
import { DomainError } from '../domain/errors.ts'
import { adminCommand } from './admin.ts'
import { mcpCommand } from './mcp.ts'
import { migrateCommand, serveCommand, workerCommand } from './serve.ts'

export const VERSION = '0.1.0'

export function buildProgram(): Command {
  const program = new Command('humcli')
    .description('humcli — AI agents hire verified humans. Run the server and administer it.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
  program.addCommand(serveCommand())
  program.addCommand(workerCommand())
  program.addCommand(migrateCommand())
  program.addCommand(adminCommand())
  program.addCommand(mcpCommand())
  return program
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram()
  program.exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2
      return
    }
    if (err instanceof ConfigError || err instanceof DomainError) {
      process.stderr.write(`humcli: ${err.message}\n`)
      process.exitCode = err instanceof ConfigError ? 78 : 1
      return
    }
    process.stderr.write(`humcli: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
}
