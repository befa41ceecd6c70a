import { InvalidArgumentError } from 'commander'
import { loadConfig } from '../config.ts'

export function parsePort(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a port number (0–65535).')
  return n
}

/** Flags shared by every command that touches the server's database. */
export interface ServerFlags {
  dataDir?: string
  databaseUrl?: string
}

export function configFrom(flags: ServerFlags, extra: Record<string, string | undefined> = {}) {
  return loadConfig({
    ...process.env,
    ...(flags.dataDir ? { HUMCLI_DATA_DIR: flags.dataDir } : {}),
    ...(flags.databaseUrl ? { DATABASE_URL: flags.databaseUrl } : {}),
    ...extra,
  })
}
