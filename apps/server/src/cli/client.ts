import { Humcli, HumcliError } from '@humcli/sdk'
import { Command } from 'commander'
import { type ClientSettings, clientSettings, displayPath } from './client-config.ts'
import { CliFailure, describeFailure, EXIT } from './exit-codes.ts'

/** The environment of the agent commands; read here and in `flags.ts` only, as `loadConfig` does for the server. */
export const cliEnv = (): Record<string, string | undefined> => process.env

/** One line for a commander parse error (`error: option '--reward <usd>' argument 'x' is invalid. …`). */
function oneLine(text: string): string {
  const flat = text
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim()
  return `humcli: ${flat} (see --help)\n`
}

/**
 * A command of the agent side: parse errors become one line and exit 2 (through `main`), and
 * subcommands made with `.command()` inherit both settings.
 */
export function agentCommand(name: string): Command {
  return new Command(name)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLine(text)) })
}

export const withProfileFlag = (cmd: Command) =>
  cmd.option('--profile <name>', 'profile in ~/.config/humcli/config.json (default "default")')

export interface RunContext {
  humcli: Humcli
  settings: ClientSettings
}

/** Runs `fn` with a client for the configured server and key; every failure becomes one line. */
export async function withClient<T>(
  cmd: Command,
  what: string,
  fn: (c: RunContext) => Promise<T>,
  opts: { needsKey?: boolean } = {},
): Promise<T> {
  const env = cliEnv()
  const { profile } = cmd.optsWithGlobals() as { profile?: string }
  const settings = clientSettings(env, profile)
  if (opts.needsKey !== false && !settings.apiKey) {
    throw new CliFailure(
      `${what} failed: no API key. Set HUMCLI_API_KEY, or run \`humcli register --name <name> --email <email>\` to create an agent and save its key in profile "${settings.profileName}" (${displayPath(settings.file, env)}).`,
      EXIT.AUTH,
    )
  }
  const humcli = new Humcli({
    apiKey: settings.apiKey ?? undefined,
    baseUrl: settings.apiUrl,
    userAgent: 'humcli-cli/0.1.0',
    maxRetries: 2,
  })
  try {
    return await fn({ humcli, settings })
  } catch (err) {
    if (err instanceof HumcliError) {
      throw describeFailure(err, { what, apiUrl: settings.apiUrl, keySource: settings.keySource })
    }
    throw err
  }
}
