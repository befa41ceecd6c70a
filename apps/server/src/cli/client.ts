import { Humcli, HumcliError } from '@humcli/sdk'
import type { Command } from 'commander'
import { type ClientSettings, clientSettings, configPath, displayPath } from './client-config.ts'
import { cliEnv, run } from './command.ts'
import { CliFailure, describeFailure, EXIT } from './exit-codes.ts'

export { cliCommand as agentCommand, cliEnv } from './command.ts'

/** `--profile`, its help naming the profile file this user's commands really read. */
export const withProfileFlag = (cmd: Command) =>
  cmd.option(
    '--profile <name>',
    `profile in ${displayPath(configPath(cliEnv()), cliEnv())} (default "default")`,
  )

export interface RunContext {
  humcli: Humcli
  settings: ClientSettings
}

/** Runs `fn` with a client for the configured server and key; every failure becomes one line. */
export async function withClient<T>(
  cmd: Command,
  what: string,
  fn: (c: RunContext) => Promise<T>,
  opts: { needsKey?: boolean; flagFor?: (field: string) => string | null } = {},
): Promise<T> {
  const env = cliEnv()
  const { profile } = cmd.optsWithGlobals() as { profile?: string }
  const settings = clientSettings(env, profile)
  if (opts.needsKey !== false && !settings.apiKey) {
    throw new CliFailure(
      `${what} failed: no API key. Set HUMCLI_API_KEY, or run \`${run('register --name <name> --email <email>')}\` to create an agent and save its key in profile "${settings.profileName}" (${displayPath(settings.file, env)}).`,
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
      throw describeFailure(err, {
        what,
        apiUrl: settings.apiUrl,
        keySource: settings.keySource,
        ...(opts.flagFor ? { flagFor: opts.flagFor } : {}),
      })
    }
    throw err
  }
}
