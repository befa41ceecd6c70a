import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DEFAULT_BASE_URL } from '@humcli/sdk'
import { run } from './command.ts'
import { CliFailure, EXIT } from './exit-codes.ts'

/**
 * Settings of the agent-side commands (`humcli tasks …`): which server and which API key.
 * Separate from `src/config.ts` on purpose: that module describes a *server* (database, master
 * key, limits) and refuses to load without what a server needs, while these commands are a
 * *client* — they read the user's profile file and only `HUMCLI_API_KEY`, `HUMCLI_API_URL` (and
 * `HOME` / `XDG_CONFIG_HOME` to find the file), and must work on a machine with no server
 * settings at all. Like `loadConfig`, it takes the environment as an argument.
 */

export interface Profile {
  api_key?: string
  api_url?: string
  agent_id?: string
  email?: string
}
export interface ProfileFile {
  profiles: Record<string, Profile>
}
type Env = Record<string, string | undefined>

export const DEFAULT_PROFILE = 'default'

/** `$XDG_CONFIG_HOME/humcli/config.json`, else `~/.config/humcli/config.json`. */
export function configPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config')
  return path.join(base, 'humcli', 'config.json')
}

/** A path as the user would type it (`~/…` under the home folder). */
export function displayPath(file: string, env: Env): string {
  const home = env.HOME || os.homedir()
  return file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file
}

export function readProfiles(file: string, env: Env): ProfileFile {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} }
    throw new CliFailure(
      `cannot read ${displayPath(file, env)} (${(err as Error).message}); check its permissions.`,
      EXIT.CONFIG,
    )
  }
  try {
    const parsed = JSON.parse(text) as Partial<ProfileFile>
    if (!parsed || typeof parsed !== 'object' || typeof parsed.profiles !== 'object' || !parsed.profiles) {
      throw new Error('no "profiles" object')
    }
    return { profiles: parsed.profiles }
  } catch (err) {
    throw new CliFailure(
      `${displayPath(file, env)} is not a humcli profile file (${(err as Error).message}); fix it or move it away and run \`${run('register')}\` again.`,
      EXIT.CONFIG,
    )
  }
}

/** Writes the profile file readable by its owner only (0600, in a 0700 folder), atomically. */
export function saveProfile(file: string, name: string, profile: Profile, env: Env): void {
  const current = readProfiles(file, env)
  current.profiles[name] = profile
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, `${JSON.stringify(current, null, 2)}\n`, { mode: 0o600 })
  fs.chmodSync(tmp, 0o600)
  fs.renameSync(tmp, file)
}

export interface ClientSettings {
  apiKey: string | null
  apiUrl: string
  profileName: string
  file: string
  /** Where the key came from, for error messages. */
  keySource: string
}

/** Resolves the server URL and API key: environment first, then the profile, then defaults. */
export function clientSettings(env: Env, profileFlag: string | undefined): ClientSettings {
  const file = configPath(env)
  const profileName = profileFlag ?? DEFAULT_PROFILE
  const { profiles } = readProfiles(file, env)
  const profile = profiles[profileName]
  if (profileFlag !== undefined && !profile && !env.HUMCLI_API_KEY) {
    throw new CliFailure(
      `no profile "${profileName}" in ${displayPath(file, env)}; create it with \`${run(`register --profile ${profileName} …`)}\` or pick one of: ${Object.keys(profiles).join(', ') || '(none)'}.`,
      EXIT.AUTH,
    )
  }
  const apiKey = env.HUMCLI_API_KEY || profile?.api_key || null
  return {
    apiKey,
    apiUrl: env.HUMCLI_API_URL || profile?.api_url || DEFAULT_BASE_URL,
    profileName,
    file,
    keySource: env.HUMCLI_API_KEY
      ? 'HUMCLI_API_KEY'
      : `profile "${profileName}" in ${displayPath(file, env)}`,
  }
}
