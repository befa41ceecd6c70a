import type { Command } from 'commander'
import type { Ctx } from '../context.ts'
import { DomainError } from '../domain/errors.ts'
import { usdToMicros } from '../domain/money.ts'
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
