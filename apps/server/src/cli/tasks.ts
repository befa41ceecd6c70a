import fs from 'node:fs'
import {
  type CreateTaskInput,
  generateKeyPair,
  type KeyPair,
  openCredential,
  TASK_STATUSES,
  TASK_TYPES,
  type TaskStatus,
  type TaskType,
} from '@humcli/sdk'
import { type Command, Option } from 'commander'
import { agentCommand, withClient, withProfileFlag } from './client.ts'
import { run } from './command.ts'
import { CliFailure, EXIT } from './exit-codes.ts'
import { collect, out, parseDeadline, parseNumber, parseUsd, printJson, usd } from './format.ts'
import { nextStep, taskDetails, taskTable } from './task-view.ts'
import { actionCommands } from './tasks-actions.ts'
import { waitCommand } from './tasks-wait.ts'

const example = (...lines: string[]) => `\nExample:\n${lines.map((l) => `  ${l}`).join('\n')}`

interface CreateFlags {
  file?: string
  title?: string
  description?: string
  type?: TaskType
  reward?: number
  deadline?: string
  proof?: string[]
  lat?: number
  lng?: number
  address?: string
  radius?: number
  instructions?: string
  keyFile?: string
  callbackUrl?: string
  callbackSecret?: string
  meta?: string[]
  idempotencyKey?: string
  json?: boolean
  quiet?: boolean
}

function readJsonFile(file: string, what: string): Record<string, unknown> {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    throw new CliFailure(`cannot read ${what} ${file}: ${(err as Error).message}.`, EXIT.USAGE)
  }
  try {
    const v = JSON.parse(text)
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('expected a JSON object')
    return v as Record<string, unknown>
  } catch (err) {
    throw new CliFailure(`${what} ${file} is not a JSON object (${(err as Error).message}).`, EXIT.USAGE)
  }
}

/** The keypair in `file`, made (0600) when the file does not exist yet. */
async function keyPairFile(file: string, create: boolean): Promise<KeyPair> {
  if (fs.existsSync(file)) {
    const kp = readJsonFile(file, 'key file')
    if (typeof kp.publicKey !== 'string' || typeof kp.privateKey !== 'string') {
      throw new CliFailure(
        `key file ${file} has no publicKey/privateKey; it was not made by humcli.`,
        EXIT.USAGE,
      )
    }
    return { publicKey: kp.publicKey, privateKey: kp.privateKey }
  }
  if (!create)
    throw new CliFailure(
      `key file ${file} does not exist; pass the one used when creating the task.`,
      EXIT.USAGE,
    )
  const kp = await generateKeyPair()
  fs.writeFileSync(file, `${JSON.stringify(kp, null, 2)}\n`, { mode: 0o600 })
  process.stderr.write(`New keypair written to ${file}; keep it: the credential opens only with it.\n`)
  return kp
}

function metadata(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs) return undefined
  const out: Record<string, string> = {}
  for (const p of pairs) {
    const i = p.indexOf('=')
    if (i <= 0) throw new CliFailure(`--meta "${p}" is not key=value.`, EXIT.USAGE)
    out[p.slice(0, i)] = p.slice(i + 1)
  }
  return out
}

/** The task body: the --file (if any), then the flags on top, then defaults. */
async function createInput(f: CreateFlags): Promise<CreateTaskInput> {
  const body: Record<string, unknown> = f.file ? readJsonFile(f.file, 'task file') : {}
  const set = (k: string, v: unknown) => {
    if (v !== undefined) body[k] = v
  }
  set('title', f.title)
  set('description', f.description)
  set('task_type', f.type)
  set('reward_usd', f.reward)
  set('deadline', f.deadline)
  set('proof_requirements', f.proof)
  if (f.lat !== undefined || f.lng !== undefined) {
    if (f.lat === undefined || f.lng === undefined)
      throw new CliFailure('give both --lat and --lng.', EXIT.USAGE)
    body.location = { lat: f.lat, lng: f.lng, ...(f.address ? { address: f.address } : {}) }
  }
  set('location_radius_m', f.radius)
  set('digital_instructions', f.instructions)
  set('callback_url', f.callbackUrl)
  set('callback_secret', f.callbackSecret)
  set('metadata', metadata(f.meta))
  if (f.keyFile) body.agent_public_key = (await keyPairFile(f.keyFile, true)).publicKey
  body.deadline ??= parseDeadline('7d')
  const missing = ['title', 'description', 'task_type', 'reward_usd', 'proof_requirements'].filter(
    (k) => body[k] === undefined,
  )
  if (missing.length) {
    const flag: Record<string, string> = {
      title: '--title',
      description: '--description',
      task_type: '--type',
      reward_usd: '--reward',
      proof_requirements: '--proof',
    }
    throw new CliFailure(
      `tasks create needs ${missing.map((k) => flag[k]).join(', ')} (or a --file that has ${missing.join(', ')}).`,
      EXIT.USAGE,
    )
  }
  return body as unknown as CreateTaskInput
}

/** The flag behind an invalid API field: a field given by a flag, or missing altogether (not from `--file`). */
function flagsOf(f: CreateFlags) {
  const fromFile = new Set(f.file ? Object.keys(readJsonFile(f.file, 'task file')) : [])
  const flags: Record<string, [string, unknown]> = {
    location: ['--lat/--lng', f.lat],
    reward_usd: ['--reward', f.reward],
    deadline: ['--deadline', f.deadline],
    proof_requirements: ['--proof', f.proof],
    location_radius_m: ['--radius', f.radius],
    digital_instructions: ['--instructions', f.instructions],
    callback_url: ['--callback-url', f.callbackUrl],
  }
  return (path: string): string | null => {
    const entry = flags[path.split('.')[0]!]
    if (!entry) return null
    return entry[1] !== undefined || !fromFile.has(path.split('.')[0]!) ? entry[0] : null
  }
}

function createCommand(tasks: Command): void {
  withProfileFlag(tasks.command('create'))
    .description('Create a task (escrows reward + fee; sandbox agents pay nothing)')
    .option('--file <task.json>', 'read the task from a JSON file (API field names); flags override it')
    .option('--title <text>', 'what to do, in a line')
    .option('--description <text>', 'the details the operator needs')
    .addOption(new Option('--type <task_type>', 'the task type').choices(TASK_TYPES))
    .option('--reward <usd>', 'reward paid to the operator, in USD', parseUsd)
    .option('--deadline <when>', 'ISO time or time from now (2d, 6h); default 7d', (v) => parseDeadline(v))
    .option('--proof <requirement>', 'a proof requirement (repeat for several)', collect)
    .option('--lat <deg>', 'latitude (physical tasks)', parseNumber(-90, 90, 'a latitude'))
    .option('--lng <deg>', 'longitude (physical tasks)', parseNumber(-180, 180, 'a longitude'))
    .option('--address <text>', 'street address (with --lat/--lng)')
    .option(
      '--radius <m>',
      'how far from the location proof may be, in metres',
      parseNumber(10, 100_000, 'metres'),
    )
    .option('--instructions <text>', 'digital instructions (digital tasks)')
    .option(
      '--key-file <path>',
      'credential tasks: seal the credential to the keypair in this file (made if missing)',
    )
    .option('--callback-url <url>', 'URL to POST every status change to')
    .option('--callback-secret <secret>', 'HMAC secret for the callback signature')
    .option('--meta <key=value>', 'metadata (repeat for several)', collect)
    .option('--idempotency-key <key>', 'your own Idempotency-Key (default: a random one)')
    .option('--json', 'print the created task as JSON')
    .option('-q, --quiet', 'print only the task id')
    .addHelpText(
      'after',
      example(
        'humcli tasks create --type PHOTO --title "Photograph the storefront" \\',
        '  --description "Shop front and opening-hours sign at 1 Main St" --reward 5 \\',
        '  --proof "photo of the storefront" --lat 52.52 --lng 13.405 --address "1 Main St"',
        'humcli tasks create --file task.json --reward 8',
      ),
    )
    .action(async (f: CreateFlags, cmd: Command) => {
      const input = await createInput(f)
      const t = await withClient(
        cmd,
        'tasks create',
        ({ humcli }) =>
          humcli.tasks.create(input, f.idempotencyKey ? { idempotencyKey: f.idempotencyKey } : {}),
        { flagFor: flagsOf(f) },
      )
      if (f.json) return printJson(t)
      if (f.quiet) return out(t.task_id)
      out(
        `Created ${t.task_id} (${t.status}, ${t.task_type}, reward ${usd(t.reward_usd)}, escrow ${usd(t.escrow_usd)}).`,
      )
      if (t.sandbox_notice) out(t.sandbox_notice)
      if (t.callback_secret) out(`Callback secret (shown once): ${t.callback_secret}`)
      out(`Follow it: ${run(`tasks wait ${t.task_id} --until ESTIMATE_PENDING`)}`)
    })
}

function readCommands(tasks: Command): void {
  withProfileFlag(tasks.command('list'))
    .description('List your tasks, newest first')
    .addOption(new Option('--status <status>', 'only this status').choices(TASK_STATUSES))
    .addOption(new Option('--type <task_type>', 'only this type').choices(TASK_TYPES))
    .option('--limit <n>', 'how many (1–100, default 20)', parseNumber(1, 100, 'a count'))
    .option('--offset <n>', 'skip this many', parseNumber(0, 1e9, 'an offset'))
    .option('--json', 'print the API response as JSON')
    .addHelpText(
      'after',
      example('humcli tasks list --status PENDING', 'humcli tasks list --json | jq .data[].task_id'),
    )
    .action(
      async (
        f: { status?: TaskStatus; type?: TaskType; limit?: number; offset?: number; json?: boolean },
        cmd: Command,
      ) => {
        const r = await withClient(cmd, 'tasks list', ({ humcli }) =>
          humcli.tasks.list({ status: f.status, task_type: f.type, limit: f.limit, offset: f.offset }),
        )
        if (f.json) return printJson(r)
        if (r.data.length === 0) return out(`No tasks. Create one with \`${run('tasks create --help')}\`.`)
        out(taskTable(r.data))
        const { offset, total } = r.pagination
        out(`${offset + 1}–${offset + r.data.length} of ${total}`)
      },
    )
  withProfileFlag(tasks.command('get <task_id>'))
    .description('Show a task: status, estimate, proof (photo URLs), history')
    .option('--json', 'print the API response as JSON')
    .addHelpText('after', example('humcli tasks get task_abc123'))
    .action(async (id: string, f: { json?: boolean }, cmd: Command) => {
      const t = await withClient(cmd, `tasks get ${id}`, ({ humcli }) => humcli.tasks.get(id))
      if (f.json) return printJson(t)
      out(taskDetails(t))
      const next = nextStep(t)
      if (next) out(`\n${next}`)
    })
}

export function tasksCommand(): Command {
  const tasks = agentCommand('tasks')
    .description('Create, follow and decide on your tasks')
    .addHelpText(
      'after',
      example(
        'humcli tasks create --type PHOTO --title "Photograph the storefront" --description "…" \\',
        '  --reward 5 --proof "photo of the storefront" --lat 52.52 --lng 13.405',
        'humcli tasks wait task_abc123 --until ESTIMATE_PENDING',
        'humcli tasks approve-estimate task_abc123',
        'humcli tasks wait task_abc123',
      ),
    )
  createCommand(tasks)
  readCommands(tasks)
  actionCommands(tasks)
  credentialCommand(tasks)
  waitCommand(tasks)
  return tasks
}

function credentialCommand(tasks: Command): void {
  withProfileFlag(tasks.command('credential <task_id>'))
    .description(
      'Retrieve the credential of a completed credential task (opened with your key file if sealed)',
    )
    .option('--key-file <path>', 'the keypair file given to `tasks create --key-file`')
    .option('--json', 'print the opened credential as JSON')
    .addHelpText('after', example('humcli tasks credential task_abc123 --key-file ./task-keys.json'))
    .action(async (id: string, f: { keyFile?: string; json?: boolean }, cmd: Command) => {
      const r = await withClient(cmd, `tasks credential ${id}`, ({ humcli }) =>
        humcli.tasks.retrieveCredential(id),
      )
      if (r.encryption !== 'none' && !f.keyFile) {
        throw new CliFailure(
          `tasks credential ${id} failed: the credential is sealed to your public key; pass --key-file with the keypair used at creation.`,
          EXIT.USAGE,
        )
      }
      const kp = f.keyFile ? await keyPairFile(f.keyFile, false) : undefined
      let values: Awaited<ReturnType<typeof openCredential>>
      try {
        values = await openCredential(r, kp)
      } catch (err) {
        throw new CliFailure(`tasks credential ${id} failed: ${(err as Error).message}`, EXIT.FAILED)
      }
      if (f.json) return printJson({ task_id: r.task_id, credential: values })
      for (const [k, v] of Object.entries(values)) out(`${k}: ${v}`)
    })
}
