import { type CreateTaskInput, HumcliError, TASK_STATUSES, TASK_TYPES } from '@humcli/sdk'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { defineTool } from './define-tool.ts'
import { nextStep, ok, summarizeTask } from './results.ts'
import type { Session } from './session.ts'
import { markTask, UNTRUSTED_NOTE, withUntrustedFields } from './untrusted.ts'

export const taskId = z
  .string()
  .min(1)
  .max(100)
  .describe('The task id, e.g. "task_k3j9…" (from create_task or list_tasks).')

const createTaskShape = {
  title: z.string().min(1).max(200).describe('Short title a human understands at a glance.'),
  description: z
    .string()
    .min(1)
    .max(5000)
    .describe('What the human must do, precisely: where, what counts as done, anything to avoid.'),
  task_type: z
    .enum(TASK_TYPES)
    .describe(
      'PHYSICAL (needs location): VERIFICATION, PHOTO, DELIVERY, INSPECTION. DIGITAL: CAPTCHA_SOLVING, ' +
        'FORM_FILLING, CONTENT_REVIEW, DATA_VALIDATION, BROWSER_NAVIGATION. CREDENTIAL (result retrieved ' +
        'with retrieve_credential): ACCOUNT_CREATION, API_KEY_PROCUREMENT, PHONE_VERIFICATION, SUBSCRIPTION_SETUP.',
    ),
  reward_usd: z
    .number()
    .positive()
    .describe(
      'What the human is paid, in US dollars (at most 6 decimals). A fee of max($1, 5%) is added on top.',
    ),
  deadline: z
    .string()
    .optional()
    .describe(
      'ISO-8601 UTC time by which the work must be done, e.g. "2026-06-01T18:00:00Z" (at most 90 days ahead). Give this or deadline_hours.',
    ),
  deadline_hours: z
    .number()
    .positive()
    .max(90 * 24)
    .optional()
    .describe(
      'The deadline as hours from now, e.g. 48 — easier when you do not know the current date. Give this or deadline.',
    ),
  proof_requirements: z
    .array(z.string().min(1).max(500))
    .min(1)
    .max(20)
    .describe(
      'What the human must submit as proof, one item each, e.g. ["photo of the storefront", "photo of the opening hours"].',
    ),
  location: z
    .object({
      lat: z.number().min(-90).max(90),
      lng: z.number().min(-180).max(180),
      address: z.string().max(500).optional(),
    })
    .optional()
    .describe('Where the work happens; required for PHYSICAL task types.'),
  location_radius_m: z
    .number()
    .int()
    .min(10)
    .max(100_000)
    .optional()
    .describe('How close to location the proof photos must be taken (default 200 m).'),
  digital_instructions: z
    .string()
    .max(10_000)
    .optional()
    .describe(
      'Step-by-step instructions for DIGITAL tasks (URLs, fields to fill); shown only to the assigned human.',
    ),
  agent_public_key: z
    .string()
    .min(40)
    .max(64)
    .optional()
    .describe(
      'Base64 X25519 public key for CREDENTIAL tasks: the credential then comes back sealed to it. Omit to receive it as plain text.',
    ),
  callback_url: z
    .string()
    .min(1)
    .max(2048)
    .optional()
    .describe(
      'https URL that receives a signed POST on every status change (optional; wait_for_task works without it).',
    ),
  metadata: z
    .record(z.string(), z.string().max(1000))
    .optional()
    .describe('Your own string key/values stored with the task (e.g. an order id).'),
  idempotency_key: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'Any unique string. If a create_task call failed without a clear answer, repeat it with the same key: the task is created at most once.',
    ),
}

function deadlineOf(args: { deadline?: string; deadline_hours?: number }): string {
  if ((args.deadline === undefined) === (args.deadline_hours === undefined)) {
    throw new HumcliError(
      'Give exactly one of deadline (an ISO-8601 time) or deadline_hours (hours from now).',
      {
        code: 'VALIDATION_FAILED',
      },
    )
  }
  return args.deadline ?? new Date(Date.now() + args.deadline_hours! * 3_600_000).toISOString()
}

export function registerTaskTools(server: McpServer, session: Session): void {
  defineTool(
    server,
    session,
    'create_task',
    {
      title: 'Hire a human: create a task',
      description:
        'Posts a paid task for a human operator (a photo of a place, a check on site, a form to fill, an ' +
        'account to create …). MONEY: creating it moves reward + platform fee (max($1, 5% of the reward), e.g. ' +
        '$16 for a $15 reward) from your deposit balance into escrow; it fails when the balance or your tier ' +
        'limits are short (check get_balance). cancel_task refunds it in full until the work starts. SANDBOX ' +
        'agents take no escrow: a simulated operator does the task. Next: an operator accepts with a time ' +
        'estimate (status ESTIMATE_PENDING), which you approve with approve_estimate — use wait_for_task to ' +
        'wait for it. Not idempotent unless you pass idempotency_key.',
      inputSchema: createTaskShape,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async (args, { signal }) => {
      const { idempotency_key, deadline_hours: _h, ...fields } = args
      const input = { ...fields, deadline: deadlineOf(args) } as CreateTaskInput
      const task = await session.client().tasks.create(input, { signal, idempotencyKey: idempotency_key })
      return ok({
        ...summarizeTask(task),
        platform_fee_usd: task.platform_fee_usd,
        money: task.sandbox
          ? 'Sandbox task: no money moved.'
          : `$${task.escrow_usd} (reward $${task.reward_usd} + fee $${task.platform_fee_usd}) moved from your deposit balance into escrow; cancel_task refunds it in full while the task is PENDING, ESTIMATE_PENDING or ACCEPTED.`,
        ...(task.sandbox_notice ? { sandbox_notice: task.sandbox_notice } : {}),
        ...(task.callback_secret
          ? {
              callback_secret: task.callback_secret,
              callback_note: 'Generated callback signing secret, shown once.',
            }
          : {}),
      })
    },
  )

  defineTool(
    server,
    session,
    'list_tasks',
    {
      title: 'List your tasks',
      description:
        'Lists your tasks, newest first, with id, title, status, type, reward and deadline; filter by status ' +
        'or task_type. Use it to find a task id or to see which tasks need you (status ESTIMATE_PENDING or ' +
        'MANUAL_REVIEW). Read-only.',
      inputSchema: {
        status: z.enum(TASK_STATUSES).optional().describe('Only tasks in this status.'),
        task_type: z.enum(TASK_TYPES).optional().describe('Only tasks of this type.'),
        limit: z.number().int().min(1).max(100).optional().describe('How many (default 20, max 100).'),
        offset: z.number().int().min(0).optional().describe('How many to skip, for the next page.'),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, { signal }) => {
      const page = await session.client().tasks.list(args, { signal })
      return ok({ tasks: page.data, ...page.pagination })
    },
  )

  defineTool(
    server,
    session,
    'get_task',
    {
      title: 'Get a task',
      description:
        'Returns one of your tasks, compact by default: status, next_step saying what you should do now, ' +
        'operator, estimate, proof summary (notes, and photo_urls that are signed and expire — open them to ' +
        "look at the proof), the Guardian decision with each check's reason. full: true returns the whole " +
        'task instead (every transition, photo details, timestamps, metadata). Read-only. ' +
        UNTRUSTED_NOTE,
      inputSchema: {
        task_id: taskId,
        full: z
          .boolean()
          .optional()
          .describe('true: the whole task object; default false: the compact view.'),
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, { signal }) => {
      const task = await session.client().tasks.get(args.task_id, { signal })
      if (!args.full) return ok(summarizeTask(task, { photoUrls: true }))
      return ok(withUntrustedFields({ ...markTask(task), next_step: nextStep(task) }))
    },
  )
}
