import path from 'node:path'
import type { Command } from 'commander'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { microsToUsd, usdToMicros } from '../domain/money.ts'
import { STAFF_ROLES, type StaffRole } from '../domain/staff-roles.ts'
import { TIERS, type Tier } from '../domain/tiers.ts'
import { cliCommand } from './command.ts'
import { configFrom, type ServerFlags } from './flags.ts'
import { openExistingDatabase } from './open-database.ts'
import { withServerFlags } from './serve.ts'

async function withCtx<T>(cmd: Command, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const flags = cmd.optsWithGlobals() as ServerFlags & { create?: boolean }
  const ctx = await openExistingDatabase(configFrom(flags, { LOG_LEVEL: 'warn' }), flags)
  try {
    return await fn(ctx)
  } finally {
    await ctx.store.close()
  }
}

const out = (s: string) => process.stdout.write(`${s}\n`)

export function adminCommand(): Command {
  const admin = withServerFlags(cliCommand('admin'))
    .description('Administer the configured database (it must exist; --create makes a new one)')
    .option('--create', 'make a new empty database if there is none (else refused)')

  admin
    .command('create-token')
    .description('Create an admin API token (printed once)')
    .option('--name <name>', 'a label for the token', 'admin')
    .addHelpText('after', '\nExample:\n  humcli admin create-token --name alice')
    .action(async (opts: { name: string }, cmd: Command) => {
      const t = await withCtx(cmd, async (ctx) =>
        (await import('../admin/admin-tokens.ts')).createAdminToken(ctx, opts.name),
      )
      out(t.token)
      process.stderr.write(`admin token ${t.id} (${t.name}) created; it will not be shown again\n`)
    })

  admin
    .command('create-user')
    .description('Create a staff user of the console; prints a one-time set-up link')
    .requiredOption('--email <email>', "the staff member's email (their login)")
    .option('--role <role>', `${STAFF_ROLES.join('|')}`, 'reviewer')
    .addHelpText('after', '\nExample:\n  humcli admin create-user --email alice@example.com --role admin')
    .action(async (opts: { email: string; role: string }, cmd: Command) => {
      if (!(STAFF_ROLES as readonly string[]).includes(opts.role)) {
        throw new DomainError(
          'VALIDATION_FAILED',
          `Unknown role "${opts.role}": use one of ${STAFF_ROLES.join(', ')}.`,
        )
      }
      const u = await withCtx(cmd, async (ctx) =>
        (await import('../staff/create-staff-user.ts')).createStaffUser(ctx, {
          email: opts.email,
          role: opts.role as StaffRole,
          actor: 'cli',
        }),
      )
      out(u.setup_link)
      process.stderr.write(
        `staff user ${u.id} (${u.email}, ${u.role}) created; the set-up link above works once, until ${u.expires_at}\n`,
      )
    })

  admin
    .command('set-tier <agent_id> <tier>')
    .description(`Set an agent's tier (${TIERS.join('|')})`)
    .addHelpText('after', '\nExample:\n  humcli admin set-tier ag_abc123 STANDARD')
    .action(async (agentId: string, tier: string, _opts: unknown, cmd: Command) => {
      if (!(TIERS as readonly string[]).includes(tier)) {
        throw new DomainError('VALIDATION_FAILED', `Unknown tier "${tier}": use one of ${TIERS.join(', ')}.`)
      }
      await withCtx(cmd, async (ctx) =>
        (await import('../admin/set-tier.ts')).setAgentTier(ctx, agentId, tier as Tier),
      )
      out(`${agentId} is now ${tier}`)
    })

  admin
    .command('credit <agent_id> <usd>')
    .description("Credit an agent's deposit balance without a chain (private deployments)")
    .option('--memo <text>', 'why the credit was made', 'credited by admin')
    .addHelpText('after', '\nExample:\n  humcli admin credit ag_abc123 100')
    .action(async (agentId: string, usd: string, opts: { memo: string }, cmd: Command) => {
      const amount = Number(usd)
      if (usd.trim() === '' || !Number.isFinite(amount)) {
        throw new DomainError(
          'VALIDATION_FAILED',
          `"${usd}" is not an amount of US dollars; write it like 100 or 12.50.`,
        )
      }
      const r = await withCtx(cmd, async (ctx) =>
        (await import('../agents/deposit.ts')).adminCredit(
          ctx,
          agentId,
          usdToMicros(amount, 'usd'),
          opts.memo,
        ),
      )
      out(`credited $${r.amount_usd} to ${agentId} (ledger transaction ${r.transaction_id})`)
    })

  admin
    .command('chain-status')
    .description(
      "The real chain: hot wallet and deposit address balances, the watcher's lag, and on-chain USDC reconciled with the ledger (exit 1 on a difference)",
    )
    .option('--json', 'print the status as JSON')
    .option(
      '--payout-key-file <file>',
      "the hot wallet's key (HUMCLI_PAYOUT_KEY_FILE), to report its balances",
    )
    .addHelpText('after', '\nExample:\n  humcli admin chain-status --payout-key-file /etc/humcli/hot.key')
    .action(async (opts: { json?: boolean; payoutKeyFile?: string }, cmd: Command) => {
      const flags = cmd.optsWithGlobals() as ServerFlags & { create?: boolean }
      const ctx = await openExistingDatabase(
        configFrom(flags, {
          LOG_LEVEL: 'warn',
          ...(opts.payoutKeyFile ? { HUMCLI_PAYOUT_KEY_FILE: path.resolve(opts.payoutKeyFile) } : {}),
        }),
        flags,
      )
      let r: Awaited<ReturnType<typeof import('../payments/chain-status.ts').chainStatus>>
      try {
        await ctx.chain.check?.()
        r = await (await import('../payments/chain-status.ts')).chainStatus(ctx)
      } finally {
        await ctx.store.close()
      }
      const rec = r.reconciliation
      if (opts.json) {
        out(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2))
      } else {
        const usd = (m: bigint) => `$${microsToUsd(m)}`
        out(`chain ${r.chain_id} at block ${r.block_number}`)
        out(`  deposit address ${r.deposit_address}: ${usd(r.deposit_usdc_micros)} USDC`)
        out(
          r.hot_wallet
            ? `  hot wallet ${r.hot_wallet}: ${usd(r.hot_usdc_micros)} USDC, ${Number(r.hot_gas_wei) / 1e18} ETH for gas`
            : '  hot wallet: none configured (payouts are refused)',
        )
        out(
          r.watcher
            ? `  watcher: next block ${r.watcher.next_block}, ${r.watcher.lag_blocks} block(s) behind (last run ${r.watcher.updated_at})`
            : '  watcher: has not run yet',
        )
        out(
          `  on chain ${usd(rec.on_chain_micros)}; ledger expects ${usd(rec.expected_micros)} ` +
            `(opening ${usd(rec.opening_micros)}, deposits less payouts ${usd(-rec.ledger_external_chain_micros)}, ` +
            `unattributed ${usd(rec.unattributed_micros)}, in flight ${usd(rec.pending_deposits_micros + rec.unread_micros - rec.mined_unsettled_payouts_micros)})`,
        )
      }
      if (rec.ok) {
        if (!opts.json) out('reconciliation OK: the USDC on chain matches the ledger')
      } else {
        process.stderr.write(
          `reconciliation FAILED: on chain differs from the ledger by $${microsToUsd(rec.difference_micros)} USDC; ` +
            'look for transfers into the hot wallet from outside, or payouts staff reconciled by hand\n',
        )
        process.exitCode = 1
      }
    })

  admin
    .command('ledger-check')
    .description('Verify the ledger: balanced transactions, no negative accounts, cached balances equal sums')
    .action(async (_opts: unknown, cmd: Command) => {
      const r = await withCtx(cmd, async (ctx) =>
        (await import('../ledger/check.ts')).ledgerCheck(ctx.store.db),
      )
      if (r.ok) {
        out(`ledger OK: ${r.transactions} transactions, ${r.accounts} accounts, all invariants hold`)
      } else {
        for (const p of r.problems) process.stderr.write(`ledger problem: ${p}\n`)
        process.stderr.write(`ledger check FAILED: ${r.problems.length} problem(s)\n`)
        process.exitCode = 1
      }
    })
  return admin
}
