import fs from 'node:fs'
import path from 'node:path'
import { Command } from 'commander'

/** The environment of the CLI; read here and in `flags.ts` only, as `loadConfig` does for the server. */
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
 * A humcli command, server side or agent side: parse errors become one line and exit 2 (through
 * `main`), and subcommands made with `.command()` inherit both settings.
 */
export function cliCommand(name: string): Command {
  return new Command(name)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLine(text)) })
}

/**
 * How to run humcli as the user would type it: `humcli` when it is on the PATH, else `npx
 * humcli`. The folders npm puts on the PATH of `npx` and `npm run` (`…/node_modules/.bin`) do not
 * count: they are gone in the user's next shell command.
 */
export function invocation(env: Record<string, string | undefined>): string {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter((d) => d && !/node_modules[/\\]\.bin$/.test(d))
  for (const dir of dirs) {
    try {
      fs.accessSync(path.join(dir, 'humcli'), fs.constants.X_OK)
      return 'humcli'
    } catch {}
  }
  return 'npx humcli'
}

let cached: string | undefined
/** A printed hint's command, e.g. `run('tasks list')` → `npx humcli tasks list`. */
export function run(args: string): string {
  cached ??= invocation(cliEnv())
  return `${cached} ${args}`
}
