import { randomBytes } from 'node:crypto'
import { Humcli, HumcliError } from '@humcli/sdk'
import type { Command } from 'commander'
import { agentCommand, cliEnv, withClient, withProfileFlag } from './client.ts'
import { clientSettings, displayPath, readProfiles, saveProfile } from './client-config.ts'
import { run } from './command.ts'
import { depositOnChain } from './deposit-chain.ts'
import { CliFailure, describeFailure, EXIT } from './exit-codes.ts'
import { out, parseDuration, parseUsd, printJson, shortTime, table, usd } from './format.ts'
import { bindWithKeyFile } from './wallet-key.ts'

const example = (...lines: string[]) => `\nExample:\n${lines.map((l) => `  ${l}`).join('\n')}`

interface RegisterFlags {
  name: string
  email: string
  company?: string
  profile?: string
  force?: boolean
  json?: boolean
}

export function registerCommand(): Command {
  return withProfileFlag(agentCommand('register'))
    .description('Create an agent account and save its API key in your profile (shown once)')
    .requiredOption('--name <name>', 'your agent or company name (1–100 characters)')
    .requiredOption('--email <email>', 'contact email; verifying it upgrades you from SANDBOX')
    .option('--company <company>', 'company name')
    .option('--force', 'replace the API key already saved in this profile')
    .option('--json', 'print the API response as JSON')
    .addHelpText('after', example('humcli register --name "Storefront bot" --email bot@example.com'))
    .action(async (flags: RegisterFlags) => {
      const env = cliEnv()
      const settings = clientSettings(env, undefined)
      const name = flags.profile ?? settings.profileName
      const file = settings.file
      const existing = readProfiles(file, env).profiles[name]
      if (existing?.api_key && !flags.force) {
        throw new CliFailure(
          `register failed: profile "${name}" in ${displayPath(file, env)} already holds an API key; use --profile <new name>, or --force to replace it.`,
          EXIT.USAGE,
        )
      }
      const apiUrl = env.HUMCLI_API_URL || existing?.api_url || settings.apiUrl
      let reg: Awaited<ReturnType<typeof Humcli.register>>
      try {
        reg = await Humcli.register(
          { name: flags.name, email: flags.email, ...(flags.company ? { company: flags.company } : {}) },
          { baseUrl: apiUrl, userAgent: 'humcli-cli/0.1.0' },
        )
      } catch (err) {
        if (err instanceof HumcliError) {
          throw describeFailure(err, { what: 'register', apiUrl, keySource: 'register' })
        }
        throw err
      }
      saveProfile(
        file,
        name,
        { api_key: reg.api_key, api_url: apiUrl, agent_id: reg.agent_id, email: flags.email },
        env,
      )
      if (flags.json) return printJson(reg)
      out(`Registered ${reg.agent_id} (${reg.tier}).`)
      out(`API key saved to profile "${name}" in ${displayPath(file, env)} (readable by you only).`)
      if (reg.tier === 'SANDBOX') {
        out(
          `Sandbox: simulated operators, no money moves, tasks up to ${usd(reg.sandbox_info.limits.maxTaskValue)}.`,
        )
      }
      out(`Next: ${run('tasks create --help')}`)
    })
}

export function balanceCommand(): Command {
  return withProfileFlag(agentCommand('balance'))
    .description("Show your balances (USD), tier, its limits and today's usage")
    .option('--json', 'print the API response (GET /agents/balance) as JSON')
    .addHelpText('after', example('humcli balance', 'humcli balance --json'))
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      if (flags.json) return printJson(await withClient(cmd, 'balance', ({ humcli }) => humcli.balance()))
      const me = await withClient(cmd, 'balance', ({ humcli }) => humcli.me())
      const { limits: l, usage_today: u, balance: b } = me
      const sandbox = me.tier === 'SANDBOX'
      out(`deposit balance  ${usd(b.deposit_balance)}`)
      out(`in escrow        ${usd(b.escrow_balance)}`)
      out(`tier             ${me.tier}${sandbox ? ' (simulated operators, no money moves)' : ''}`)
      out(
        `limits           ${l.maxDailyTasks} tasks a day, ${usd(l.maxTaskValue)} reward per task` +
          (sandbox ? '' : `, ${usd(l.maxDailySpend)} spend a day`),
      )
      out(
        `today (UTC)      ${u.tasks} of ${l.maxDailyTasks} tasks` +
          (sandbox ? '' : `, ${usd(u.spend_usd)} of ${usd(l.maxDailySpend)} spent`) +
          '; resets at 00:00 UTC',
      )
      if (sandbox && !me.email_verified) {
        out('To lift the sandbox limits, open the link in the verification email (VERIFIED: real operators).')
      }
    })
}

interface DepositFlags {
  txHash?: string
  amount?: number
  privateKeyFile?: string
  rpcUrl?: string
  timeout?: number
  json?: boolean
}

export function depositCommand(): Command {
  return withProfileFlag(agentCommand('deposit'))
    .description(
      'Deposit USDC: send it from your bound wallet (--private-key-file), or report a transfer you sent (--tx-hash)',
    )
    .option('--tx-hash <hash>', 'the transfer transaction (0x + 64 hex digits); a random one in development')
    .option('--amount <usd>', 'the amount you sent (or, with --private-key-file, to send), in USD', parseUsd)
    .option(
      '--private-key-file <file>',
      'send the transfer from this wallet key (your bound wallet), then wait',
    )
    .option(
      '--rpc-url <url>',
      'your JSON-RPC node of the chain (default HUMCLI_RPC_URL, else the public one)',
    )
    .option(
      '--timeout <duration>',
      'with --private-key-file: stop waiting for the credit after this long',
      parseDuration,
      30 * 60_000,
    )
    .option('--json', 'print the API response as JSON')
    .addHelpText(
      'after',
      example(
        'humcli deposit --amount 25 --private-key-file ~/.humcli/wallet.key',
        'humcli deposit --tx-hash 0x3f…c1 --amount 100',
        'humcli deposit --amount 50   # development server',
      ) +
        '\n\nExit codes: 0 credited, 1 refused or reverted, 2 bad input, 5 node or server unreachable, 124 timed out.',
    )
    .action(async (flags: DepositFlags, cmd: Command) => {
      if (flags.privateKeyFile) {
        if (flags.txHash) {
          throw new CliFailure(
            'deposit failed: give --private-key-file (send a new transfer) or --tx-hash (report one you sent), not both.',
            EXIT.USAGE,
          )
        }
        return depositOnChain(cmd, { ...flags, privateKeyFile: flags.privateKeyFile })
      }
      const txHash = flags.txHash ?? `0x${randomBytes(32).toString('hex')}`
      const d = await withClient(cmd, 'deposit', ({ humcli }) =>
        humcli.deposit({
          tx_hash: txHash,
          ...(flags.amount !== undefined ? { amount_usdc: flags.amount } : {}),
        }),
      )
      if (flags.json) return printJson(d)
      out(`Deposit ${d.deposit_id}: ${usd(d.amount_usdc)} ${d.status} (tx ${d.tx_hash}).`)
    })
}

export function keysCommand(): Command {
  const keys = agentCommand('keys')
    .description('Manage your API keys')
    .addHelpText(
      'after',
      example('humcli keys create --name ci', 'humcli keys list', 'humcli keys revoke key_abc123'),
    )
  withProfileFlag(keys.command('list'))
    .description('List your live API keys (prefixes only)')
    .option('--json', 'print the API response as JSON')
    .addHelpText('after', example('humcli keys list'))
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const r = await withClient(cmd, 'keys list', ({ humcli }) => humcli.keys.list())
      if (flags.json) return printJson(r)
      out(
        table(
          ['ID', 'NAME', 'PREFIX', 'LAST USED', 'CREATED'],
          r.data.map((k) => [k.id, k.name, k.key_prefix, shortTime(k.last_used_at), shortTime(k.created_at)]),
        ),
      )
    })
  withProfileFlag(keys.command('create'))
    .description('Create an API key; it is printed once')
    .requiredOption('--name <name>', 'a label, e.g. the machine that will use it')
    .option('--json', 'print the API response as JSON')
    .addHelpText('after', example('humcli keys create --name ci'))
    .action(async (flags: { name: string; json?: boolean }, cmd: Command) => {
      const k = await withClient(cmd, 'keys create', ({ humcli }) => humcli.keys.create(flags.name))
      if (flags.json) return printJson(k)
      out(k.key)
      process.stderr.write(`API key ${k.id} (${k.name}) created; it will not be shown again.\n`)
    })
  withProfileFlag(keys.command('revoke <key_id>'))
    .description('Revoke an API key (not your last one)')
    .addHelpText('after', example('humcli keys revoke key_abc123'))
    .action(async (keyId: string, _flags: unknown, cmd: Command) => {
      const r = await withClient(cmd, `keys revoke ${keyId}`, ({ humcli }) => humcli.keys.revoke(keyId))
      out(`Revoked ${r.id} at ${r.revoked_at}.`)
    })
  return keys
}

interface BindFlags {
  privateKeyFile?: string
  address?: string
  signature?: string
  nonce?: string
  json?: boolean
}

export function walletCommand(): Command {
  const wallet = agentCommand('wallet')
    .description('Bind the wallet you deposit USDC from, and see where to send it')
    .addHelpText(
      'after',
      example(
        'humcli wallet challenge            # prints the message to sign, and its nonce',
        'humcli wallet bind --private-key-file ~/.humcli/wallet.key   # signs here',
        'humcli wallet bind --address 0xAb…12 --signature 0x… --nonce 6f1c…',
        'humcli wallet deposit-address',
      ),
    )
  withProfileFlag(wallet.command('challenge'))
    .description('Get a single-use message (10 minutes) to sign with personal_sign in your wallet')
    .option('--json', 'print the API response as JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const c = await withClient(cmd, 'wallet challenge', ({ humcli }) => humcli.wallet.challenge())
      if (flags.json) return printJson(c)
      // The message goes to stdout alone, so it can be piped to a signer unchanged.
      out(c.message)
      process.stderr.write(
        `Sign the message above, unchanged, with personal_sign (EIP-191), then within 10 minutes:\n` +
          `  ${run(`wallet bind --address <your wallet> --signature <0x…> --nonce ${c.nonce}`)}\n`,
      )
    })
  withProfileFlag(wallet.command('bind'))
    .description('Bind the wallet that signed a challenge; deposits are then credited only from it')
    .option(
      '--private-key-file <file>',
      'sign the challenge here with this wallet key (no other flag needed)',
    )
    .option('--address <address>', 'the wallet address (0x + 40 hex digits), with --signature and --nonce')
    .option('--signature <signature>', 'the personal_sign signature of the challenge message')
    .option('--nonce <nonce>', 'the nonce printed by `humcli wallet challenge`')
    .option('--json', 'print the API response as JSON')
    .action(async (flags: BindFlags, cmd: Command) => {
      if (flags.privateKeyFile) {
        if (flags.address || flags.signature || flags.nonce) {
          throw new CliFailure(
            'wallet bind failed: --private-key-file signs a new challenge itself; drop --address, --signature and --nonce.',
            EXIT.USAGE,
          )
        }
        return bindWithKeyFile(cmd, flags.privateKeyFile, flags.json)
      }
      if (!flags.address || !flags.signature || !flags.nonce) {
        throw new CliFailure(
          'wallet bind failed: give --private-key-file <file>, or all of --address, --signature and --nonce (from `humcli wallet challenge`).',
          EXIT.USAGE,
        )
      }
      const input = { wallet_address: flags.address, signature: flags.signature, nonce: flags.nonce }
      const w = await withClient(cmd, 'wallet bind', ({ humcli }) => humcli.wallet.bind(input))
      if (flags.json) return printJson(w)
      out(`Wallet ${w.wallet_address} bound to ${w.agent_id} on ${w.chain}.`)
    })
  withProfileFlag(wallet.command('deposit-address'))
    .description('Where to send USDC from your bound wallet')
    .option('--json', 'print the API response as JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const a = await withClient(cmd, 'wallet deposit-address', ({ humcli }) =>
        humcli.wallet.depositAddress(),
      )
      if (flags.json) return printJson(a)
      out(`Send ${a.token} on ${a.chain} to ${a.address} (token contract ${a.token_contract}).`)
      if (a.chain_id !== null) {
        out(`Chain id ${a.chain_id}; credited after ${a.confirmations} confirmations.`)
      }
    })
  return wallet
}
