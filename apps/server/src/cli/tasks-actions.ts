import { type Command, Option } from 'commander'
import { withClient, withProfileFlag } from './client.ts'
import { CliFailure, EXIT } from './exit-codes.ts'
import { minutes, out, printJson, usd } from './format.ts'

const example = (...lines: string[]) => `\nExample:\n${lines.map((l) => `  ${l}`).join('\n')}`

/** The agent's decisions on a task: estimate approve/reject, verify, cancel. */
export function actionCommands(tasks: Command): void {
  withProfileFlag(tasks.command('approve-estimate <task_id>'))
    .description("Accept the operator's time estimate (ESTIMATE_PENDING → ACCEPTED)")
    .option('--json', 'print the API response as JSON')
    .addHelpText('after', example('humcli tasks approve-estimate task_abc123'))
    .action(async (id: string, f: { json?: boolean }, cmd: Command) => {
      const r = await withClient(cmd, `tasks approve-estimate ${id}`, ({ humcli }) =>
        humcli.tasks.approveEstimate(id),
      )
      if (f.json) return printJson(r)
      out(
        `${r.task_id} is ${r.status}: ${r.operator.name} (rating ${r.operator.rating.toFixed(1)}) will do it in ${minutes(r.estimate_minutes)}.`,
      )
    })

  withProfileFlag(tasks.command('reject-estimate <task_id>'))
    .description('Reject the estimate; the task is open to other operators again')
    .requiredOption('--reason <text>', 'why (shown to the operator)')
    .option('--json', 'print the API response as JSON')
    .addHelpText('after', example('humcli tasks reject-estimate task_abc123 --reason "needed today"'))
    .action(async (id: string, f: { reason: string; json?: boolean }, cmd: Command) => {
      const r = await withClient(cmd, `tasks reject-estimate ${id}`, ({ humcli }) =>
        humcli.tasks.rejectEstimate(id, f.reason),
      )
      if (f.json) return printJson(r)
      out(`${r.task_id} is ${r.status} again: ${r.message}`)
    })

  withProfileFlag(tasks.command('verify <task_id>'))
    .description('Decide on submitted proof: --approve releases the escrow, --reject disputes it')
    .addOption(new Option('--approve', 'accept the proof (→ COMPLETED)').conflicts('reject'))
    .addOption(new Option('--reject', 'refuse the proof (→ DISPUTED, an admin decides)').conflicts('approve'))
    .option('--reason <text>', 'why (stored on the task, shown to the operator and admins)')
    .option('--json', 'print the task as JSON')
    .addHelpText(
      'after',
      example(
        'humcli tasks verify task_abc123 --approve',
        'humcli tasks verify task_abc123 --reject --reason "wrong shop"',
      ),
    )
    .action(
      async (
        id: string,
        f: { approve?: boolean; reject?: boolean; reason?: string; json?: boolean },
        cmd: Command,
      ) => {
        if (!f.approve && !f.reject) {
          throw new CliFailure('tasks verify needs --approve or --reject (see --help).', EXIT.USAGE)
        }
        const decision = f.approve ? 'APPROVE' : 'REJECT'
        const t = await withClient(cmd, `tasks verify ${id}`, ({ humcli }) =>
          humcli.tasks.verify(id, { decision, ...(f.reason ? { reason: f.reason } : {}) }),
        )
        if (f.json) return printJson(t)
        out(
          t.status === 'COMPLETED'
            ? `${t.task_id} is COMPLETED: ${usd(t.reward_usd)} released to ${t.operator?.name ?? 'the operator'}.`
            : `${t.task_id} is ${t.status}: the escrow stays locked until an admin resolves it.`,
        )
      },
    )

  withProfileFlag(tasks.command('cancel <task_id>'))
    .description(
      'Cancel a task not yet started (PENDING, ESTIMATE_PENDING, ACCEPTED); the whole escrow is refunded',
    )
    .option('--reason <text>', 'why')
    .option('--json', 'print the API response as JSON')
    .addHelpText('after', example('humcli tasks cancel task_abc123 --reason "no longer needed"'))
    .action(async (id: string, f: { reason?: string; json?: boolean }, cmd: Command) => {
      const r = await withClient(cmd, `tasks cancel ${id}`, ({ humcli }) => humcli.tasks.cancel(id, f.reason))
      if (f.json) return printJson(r)
      out(`${r.task_id} is CANCELLED; ${usd(r.refunded_usd)} refunded.`)
    })
}
