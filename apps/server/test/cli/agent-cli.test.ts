import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { setAgentTier } from '../../src/admin/set-tier.ts'
import { client } from '../helpers/api.ts'
import { assertFails, assertOk, lines, startHumcli, tempHome } from '../helpers/cli.ts'
import { newOperator, proofForm, review } from '../helpers/fixtures.ts'
import { forEachDialect, runHumcli, type TestServer, useServer } from '../helpers/harness.ts'

const FLAGS = [
  '--type',
  'PHOTO',
  '--title',
  'Photograph the storefront',
  '--description',
  'Shop front and opening-hours sign at 1 Main St',
  '--reward',
  '5',
  '--proof',
  'photo of the storefront',
  '--proof',
  'photo of the opening hours',
  '--lat',
  '52.52',
  '--lng',
  '13.405',
  '--address',
  '1 Main St',
]
/** `tasks wait` polls fast in tests; the schedule itself is covered by test/sdk/wait.test.ts. */
const FAST = ['--interval', '100ms', '--max-interval', '300ms']

forEachDialect('humcli agent commands against a real server', (dialect) => {
  const server = useServer(dialect)
  const home = tempHome()
  let env: Record<string, string>
  let agentId: string
  let apiKey: string
  const humcli = (...args: string[]) => runHumcli(args, env, 60_000)
  const s = (): TestServer => server()
  const operatorApi = async () => (await newOperator(s())).api
  const ok = async (p: Promise<{ status: number; text: string }>) => {
    const r = await p
    assert.equal(r.status, 200, r.text)
  }

  before(() => {
    // The CLI sets deadlines from the real time; the server's clock must agree.
    s().clock.set(new Date())
    env = { HOME: home.home, HUMCLI_API_URL: s().url }
  })
  after(() => home.drop())

  test('register saves the key in the profile (0600) and refuses to overwrite it', async () => {
    const r = await humcli('register', '--name', 'Storefront bot', '--email', `bot-${dialect}@example.com`)
    assertOk(r)
    const [first, second, third] = lines(r.stdout)
    assert.match(first!, /^Registered ag_[a-z0-9]+ \(SANDBOX\)\.$/)
    assert.equal(
      second,
      'API key saved to profile "default" in ~/.config/humcli/config.json (readable by you only).',
    )
    assert.match(third!, /^Sandbox: simulated operators, no money moves, tasks up to \$10\.00\.$/)
    assert.equal(fs.statSync(home.configFile).mode & 0o777, 0o600)
    assert.equal(fs.statSync(path.dirname(home.configFile)).mode & 0o777, 0o700)
    const saved = JSON.parse(fs.readFileSync(home.configFile, 'utf8')).profiles.default
    assert.match(saved.api_key, /^ho_live_[A-Za-z0-9]{48}$/)
    assert.equal(saved.api_url, s().url)
    agentId = saved.agent_id
    apiKey = saved.api_key
    assert.equal(first, `Registered ${agentId} (SANDBOX).`)

    const again = await humcli('register', '--name', 'x', '--email', `other-${dialect}@example.com`)
    assertFails(
      again,
      2,
      /profile "default" in ~\/\.config\/humcli\/config\.json already holds an API key; use --profile/,
    )
    const second2 = await humcli(
      'register',
      '--name',
      'second',
      '--email',
      `second-${dialect}@example.com`,
      '--profile',
      'second',
      '--json',
    )
    assertOk(second2)
    const body = JSON.parse(second2.stdout)
    const profiles = JSON.parse(fs.readFileSync(home.configFile, 'utf8')).profiles
    assert.deepEqual(Object.keys(profiles).sort(), ['default', 'second'])
    assert.equal(profiles.second.api_key, body.api_key)
    assert.equal(profiles.default.api_key, apiKey, 'the first profile is untouched')
    const other = await humcli('balance', '--profile', 'second', '--json')
    assertOk(other)
    assert.deepEqual(JSON.parse(other.stdout), { deposit_balance: 0, escrow_balance: 0, currency: 'USD' })
  })

  test('a funded VERIFIED agent: deposit, balance, create from flags and from --file, list, get', async () => {
    await setAgentTier(s().ctx, agentId, 'VERIFIED')
    const dep = await humcli('deposit', '--amount', '100')
    assertOk(dep)
    assert.match(dep.stdout, /^Deposit dep_[a-z0-9]+: \$100\.00 CONFIRMED \(tx 0x[0-9a-f]{64}\)\.\n$/)
    const bal = await humcli('balance')
    assertOk(bal)
    assert.equal(
      bal.stdout,
      [
        'deposit balance  $100.00',
        'in escrow        $0.00',
        'tier             STANDARD',
        'limits           100 tasks a day, $10000.00 reward per task, $50000.00 spend a day',
        'today (UTC)      0 of 100 tasks, $0.00 of $50000.00 spent; resets at 00:00 UTC',
        '',
      ].join('\n'),
    )

    const created = await humcli('tasks', 'create', ...FLAGS)
    assertOk(created)
    const [line1, follow] = lines(created.stdout)
    const m = /^Created (task_[a-z0-9]+) \(PENDING, PHOTO, reward \$5\.00, escrow \$6\.00\)\.$/.exec(line1!)
    assert.ok(m, created.stdout)
    const fromFlags = m[1]!
    assert.equal(follow, `Follow it: npx humcli tasks wait ${fromFlags} --until ESTIMATE_PENDING`)

    const file = path.join(home.home, 'task.json')
    fs.writeFileSync(
      file,
      JSON.stringify({
        title: 'Check the form',
        description: 'Validate the rows of the sheet',
        task_type: 'DATA_VALIDATION',
        reward_usd: 3,
        proof_requirements: ['a screenshot'],
        metadata: { order: '42' },
      }),
    )
    const fromFile = await humcli('tasks', 'create', '--file', file, '--reward', '4', '--meta', 'run=7', '-q')
    assertOk(fromFile)
    const fileTask = fromFile.stdout.trim()
    assert.match(fileTask, /^task_[a-z0-9]+$/)
    const viaApi = await client(s().url, { key: apiKey }).get(`/tasks/${fileTask}`)
    assert.equal(viaApi.body.reward_usd, 4, 'the flag overrides the file')
    assert.equal(viaApi.body.task_type, 'DATA_VALIDATION')
    assert.deepEqual(viaApi.body.metadata, { run: '7' })
    const deadlineInDays = (Date.parse(viaApi.body.deadline) - Date.now()) / 86_400_000
    assert.ok(
      deadlineInDays > 6.9 && deadlineInDays <= 7,
      `default deadline 7 days ahead, got ${deadlineInDays}`,
    )

    const list = await humcli('tasks', 'list')
    assertOk(list)
    const rows = lines(list.stdout)
    assert.match(rows[0]!, /^TASK +STATUS +TYPE +REWARD +CREATED +DEADLINE +TITLE$/)
    assert.match(
      rows[1]!,
      new RegExp(
        `^${fileTask} +PENDING +DATA_VALIDATION +\\$4\\.00 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +.+ +Check the form$`,
      ),
    )
    assert.match(
      rows[2]!,
      new RegExp(`^${fromFlags} +PENDING +PHOTO +\\$5\\.00 .+ Photograph the storefront$`),
    )
    assert.equal(rows[3], '1–2 of 2')
    const json = await humcli('tasks', 'list', '--json', '--type', 'PHOTO')
    assertOk(json)
    const parsed = JSON.parse(json.stdout)
    assert.deepEqual(
      parsed.data.map((t: { task_id: string }) => t.task_id),
      [fromFlags],
    )
    assert.equal(parsed.pagination.total, 1)

    const get = await humcli('tasks', 'get', fromFlags)
    assertOk(get)
    assert.match(get.stdout, new RegExp(`^${fromFlags}  Photograph the storefront\n`))
    assert.match(get.stdout, /\n {2}status +PENDING\n/)
    assert.match(get.stdout, /\n {2}type +PHOTO \(PHYSICAL\) at 1 Main St \(52\.52, 13\.405\) within 200 m\n/)
    assert.match(get.stdout, /\n {2}reward +\$5\.00 \(fee \$1\.00, escrow \$6\.00\)\n/)
  })

  test('the whole path: wait for the estimate, approve, verify, wait until COMPLETED (exit 0)', async () => {
    const created = await humcli('tasks', 'create', ...FLAGS, '-q')
    assertOk(created)
    const id = created.stdout.trim()
    const op = await operatorApi()

    const waiting = startHumcli(['tasks', 'wait', id, '--until', 'ESTIMATE_PENDING', ...FAST], env)
    await waiting.waitFor(/\] PENDING\n/)
    await ok(op.post(`/operator/tasks/${id}/accept`, { estimate_hours: 2, estimate_minutes: 30 }))
    const estimate = await waiting.done
    assertOk(estimate)
    const [l1, l2, l3, ...rest] = lines(estimate.stdout)
    assert.match(l1!, /^\[ +\d+s\] PENDING$/)
    assert.match(l2!, /^\[ +\d+s\] PENDING → ESTIMATE_PENDING$/)
    assert.equal(
      l3!.trim().replace(/^operator \S+ /, 'operator X '),
      `operator X estimates 2 h 30 min: approve with \`npx humcli tasks approve-estimate ${id}\` or reject with \`npx humcli tasks reject-estimate ${id} --reason …\``,
    )
    assert.deepEqual(rest, [])

    const approved = await humcli('tasks', 'approve-estimate', id)
    assertOk(approved)
    assert.match(
      approved.stdout,
      new RegExp(`^${id} is ACCEPTED: operator \\S+ \\(rating 5\\.0\\) will do it in 2 h 30 min\\.\n$`),
    )

    const following = startHumcli(['tasks', 'wait', id, ...FAST], env)
    await following.waitFor(/\] ACCEPTED\n/)
    await ok(op.post(`/operator/tasks/${id}/start`))
    // `tasks wait` prints the changes it sees between polls: let it see IN_PROGRESS before the proof.
    await following.waitFor(/ACCEPTED → IN_PROGRESS\n/)
    const notes = '1. storefront: photographed\n2. opening hours: photographed'
    await ok(op.post(`/operator/tasks/${id}/proof`, undefined, { form: proofForm(undefined, notes) }))
    await following.waitFor(/IN_PROGRESS → SUBMITTED\n/)
    const verified = await humcli('tasks', 'verify', id, '--approve', '--reason', 'both photos are right')
    assertOk(verified)
    assert.match(
      verified.stdout,
      new RegExp(`^${id} is COMPLETED: \\$5\\.00 released to operator \\S+\\.\n$`),
    )
    const done = await following.done
    assertOk(done)
    const events = lines(done.stdout).filter((l) => l.startsWith('['))
    assert.deepEqual(
      events.map((l) => l.replace(/^\[ *\d+s\] /, '')),
      ['ACCEPTED', 'ACCEPTED → IN_PROGRESS', 'IN_PROGRESS → SUBMITTED', 'SUBMITTED → COMPLETED'],
    )
    assert.match(done.stdout, /humcli tasks verify .* --approve/, 'SUBMITTED tells what to do')
    assert.match(done.stdout, new RegExp(`\n${id} COMPLETED after \\d+s\\.\n$`))

    const shown = await humcli('tasks', 'get', id)
    assertOk(shown)
    // Multi-line notes stay in their column.
    assert.match(
      shown.stdout,
      /\n {2}notes +1\. storefront: photographed\n {15}2\. opening hours: photographed\n/,
    )
    assert.match(
      shown.stdout,
      /\n {2}photo +http:\/\/127\.0\.0\.1:\d+\/api\/v1\/files\/file_\w+\?expires=\d+&signature=[0-9a-f]+\n/,
    )
    assert.match(
      shown.stdout,
      /\n {2}history +\d{4}-\d\d-\d\d \d\d:\d\d {2}SUBMITTED → COMPLETED {2}by agent:ag_\w+ \(both photos are right\)\n/,
    )
  })

  test('tasks wait exits 10 on CANCELLED, 11 on DISPUTED, 12 on MANUAL_REVIEW, 124 on timeout', async () => {
    const make = async () => {
      const r = await humcli('tasks', 'create', ...FLAGS, '-q')
      assertOk(r)
      return r.stdout.trim()
    }
    const [a, b, c, d] = await Promise.all([make(), make(), make(), make()])
    const op = await operatorApi()
    const agent = client(s().url, { key: apiKey })

    const rejected = await (async () => {
      await ok(op.post(`/operator/tasks/${a}/accept`, { estimate_hours: 1 }))
      return humcli('tasks', 'reject-estimate', a!, '--reason', 'needed today')
    })()
    assertOk(rejected)
    assert.equal(
      rejected.stdout,
      `${a} is PENDING again: Estimate rejected; the task is open to other operators again.\n`,
    )
    const cancelled = await humcli('tasks', 'cancel', a!, '--reason', 'no longer needed')
    assertOk(cancelled)
    assert.equal(cancelled.stdout, `${a} is CANCELLED; $6.00 refunded.\n`)

    for (const id of [b, c]) {
      await ok(op.post(`/operator/tasks/${id}/accept`, { estimate_hours: 1 }))
      await ok(agent.post(`/tasks/${id}/estimate/approve`))
      await ok(op.post(`/operator/tasks/${id}/start`))
      await ok(op.post(`/operator/tasks/${id}/proof`, undefined, { form: proofForm() }))
    }
    const disputed = await humcli('tasks', 'verify', b!, '--reject', '--reason', 'wrong shop')
    assertOk(disputed)
    assert.equal(disputed.stdout, `${b} is DISPUTED: the escrow stays locked until an admin resolves it.\n`)
    await review(s(), c!, 'MANUAL_REVIEW')

    const [w1, w2, w3, w4] = await Promise.all([
      humcli('tasks', 'wait', a!, ...FAST),
      humcli('tasks', 'wait', b!, ...FAST),
      humcli('tasks', 'wait', c!, ...FAST),
      humcli('tasks', 'wait', d!, '--timeout', '1s', ...FAST),
    ])
    assert.equal(w1.code, 10, w1.stderr)
    assert.match(
      w1.stderr,
      new RegExp(
        `^humcli: ${a} ended CANCELLED after \\d+s \\(no longer needed\\); the escrow was refunded\\.\n$`,
      ),
    )
    assert.equal(w2.code, 11, w2.stderr)
    assert.match(w2.stderr, /is DISPUTED after \d+s: the escrow stays locked/)
    assert.equal(w3.code, 12, w3.stderr)
    assert.match(
      w3.stderr,
      new RegExp(`needs your decision \\(MANUAL_REVIEW\\): look with \`npx humcli tasks get ${c}\``),
    )
    assert.equal(w4.code, 124, w4.stderr)
    assert.match(
      w4.stderr,
      new RegExp(
        `^humcli: tasks wait ${d} gave up after \\ds: the task is still PENDING; run it again or raise --timeout\\.\n$`,
      ),
    )
    for (const r of [w1, w2, w3, w4]) assert.equal(lines(r.stderr).length, 1, r.stderr)
  })

  test('keys create, list, revoke', async () => {
    const created = await humcli('keys', 'create', '--name', 'ci')
    assertOk(created)
    const key = created.stdout.trim()
    assert.match(key, /^ho_live_[A-Za-z0-9]{48}$/)
    assert.match(created.stderr, /^API key key_[a-z0-9]+ \(ci\) created; it will not be shown again\.\n$/)
    const keyId = /key_[a-z0-9]+/.exec(created.stderr)![0]
    const withNewKey = await runHumcli(['balance', '--json'], { ...env, HUMCLI_API_KEY: key })
    assertOk(withNewKey)
    const list = await humcli('keys', 'list')
    assertOk(list)
    assert.match(list.stdout, /^ID +NAME +PREFIX +LAST USED +CREATED\n/)
    assert.match(list.stdout, new RegExp(`\n${keyId} +ci +ho_live_\\w{12}\\.\\. `))
    const revoked = await humcli('keys', 'revoke', keyId)
    assertOk(revoked)
    assert.match(revoked.stdout, new RegExp(`^Revoked ${keyId} at \\d{4}-.+Z\\.\n$`))
  })
})
