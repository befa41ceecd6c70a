import fs from 'node:fs'
import type { Command } from 'commander'
import { parsePrivateKey } from '../domain/private-key.ts'
import { withClient } from './client.ts'
import { CliFailure, EXIT } from './exit-codes.ts'
import { out, printJson } from './format.ts'

/**
 * The agent's wallet key from `--private-key-file`: read here, used by viem in this process, never
 * printed, logged or quoted in an error (a part of a key is still a secret).
 */
export function readKeyFile(file: string, what: string): `0x${string}` {
  let raw: string
  try {
    raw = fs.readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error'
    throw new CliFailure(
      `${what} failed: the key file ${file} cannot be read (${code}): point --private-key-file at a file holding your wallet's private key.`,
      EXIT.USAGE,
    )
  }
  const key = parsePrivateKey(raw)
  if (!key) {
    throw new CliFailure(
      `${what} failed: the key file ${file} does not hold a private key: it must be 32 bytes in hex (64 hex digits, 0x optional), nothing else.`,
      EXIT.USAGE,
    )
  }
  return key
}

/** A local viem account for the key in `file` (viem is loaded only by the commands that sign). */
export async function accountFromKeyFile(file: string, what: string) {
  const key = readKeyFile(file, what)
  const { privateKeyToAccount } = await import('viem/accounts')
  return privateKeyToAccount(key)
}

/** `humcli wallet bind --private-key-file F`: challenge, personal_sign here, bind (`wallet.bindWith`). */
export async function bindWithKeyFile(cmd: Command, file: string, json: boolean | undefined): Promise<void> {
  const account = await accountFromKeyFile(file, 'wallet bind')
  const w = await withClient(cmd, 'wallet bind', ({ humcli }) =>
    humcli.wallet.bindWith(account.address, (message) => account.signMessage({ message })),
  )
  if (json) return printJson(w)
  out(`Wallet ${w.wallet_address} bound to ${w.agent_id} on ${w.chain} (signed with the key in ${file}).`)
}
