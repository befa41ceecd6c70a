import fs from 'node:fs'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { assertFails, tempHome } from '../helpers/cli.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, runHumcli, useServer } from '../helpers/harness.ts'
import { freePort } from '../helpers/receiver.ts'

// Demonstration 5: each failure prints ONE line on stderr (what failed, why, what to do), nothing
// on stdout, no stack trace, and exits with its documented code (README, "Exit codes").

describe('humcli agent commands: failures without a server', () => {
  const home = tempHome()
  after(() => home.drop())
  const run = (args: string[], env: Record<string, string> = {}) =>
    runHumcli(args, { HOME: home.home, ...env }, 60_000)

  test('no API key → exit 3, says how to get one', async () => {
    assertFails(
      await run(['tasks', 'list']),
      3,
      /^humcli: tasks list failed: no API key\. Set HUMCLI_API_KEY, or run `npx humcli register --name <name> --email <email>` to create an agent and save its key in profile "default" \(~\/\.config\/humcli\/config\.json\)\.\n$/,
    )
  })

  test('server not running → exit 5, names the address and the fix', async () => {
    const port = await freePort()
    assertFails(
      await run(['balance'], {
        HUMCLI_API_KEY: `ho_live_${'x'.repeat(48)}`,
        HUMCLI_API_URL: `http://127.0.0.1:${port}`,
      }),
      5,
      new RegExp(
        `^humcli: balance failed: cannot reach the humcli server at http://127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\. Is it running\\? Start it with \`npx humcli serve\`, or point HUMCLI_API_URL at it\\.\n$`,
      ),
    )
  })

  test('invalid flag values → exit 2 before any request', async () => {
    const env = { HUMCLI_API_KEY: 'ho_live_unused', HUMCLI_API_URL: 'http://127.0.0.1:9' }
    assertFails(
      await run(['tasks', 'create', '--reward', 'abc'], env),
      2,
      /^humcli: option '--reward <usd>' argument 'abc' is invalid\. give a positive amount in US dollars, like 5 or 2\.50 \(at most 6 decimals\)\. \(see --help\)\n$/,
    )
    assertFails(
      await run(['tasks', 'create', '--type', 'SELFIE'], env),
      2,
      /^humcli: option '--type <task_type>' argument 'SELFIE' is invalid\. Allowed choices are VERIFICATION, PHOTO, .+\. \(see --help\)\n$/,
    )
    assertFails(
      await run(['tasks', 'wait', 'task_x', '--timeout', 'soon'], env),
      2,
      /argument 'soon' is invalid\. give a duration like 90s, 10m, 2h or 3d\./,
    )
    assertFails(await run(['tasks', 'list', '--colour'], env), 2, /^humcli: unknown option '--colour'/)
    assertFails(
      await run(['tasks', 'verify', 'task_x'], env),
      2,
      /^humcli: tasks verify needs --approve or --reject \(see --help\)\.\n$/,
    )
    assertFails(
      await run(['tasks', 'create', '--title', 'only a title'], env),
      2,
      /^humcli: tasks create needs --description, --type, --reward, --proof \(or a --file that has description, task_type, reward_usd, proof_requirements\)\.\n$/,
    )
  })

  test('an unreadable profile file → exit 78; an unknown --profile → exit 3', async () => {
    const other = tempHome()
    try {
      fs.mkdirSync(path.dirname(other.configFile), { recursive: true })
      fs.writeFileSync(other.configFile, '{ not json')
      assertFails(
        await runHumcli(['balance'], { HOME: other.home }),
        78,
        /^humcli: ~\/\.config\/humcli\/config\.json is not a humcli profile file \(.+\); fix it or move it away/,
      )
      fs.writeFileSync(other.configFile, JSON.stringify({ profiles: { default: { api_key: 'k' } } }))
      assertFails(
        await runHumcli(['balance', '--profile', 'work'], { HOME: other.home }),
        3,
        /^humcli: no profile "work" in ~\/\.config\/humcli\/config\.json; create it with `npx humcli register --profile work …` or pick one of: default\.\n$/,
      )
    } finally {
      other.drop()
    }
  })
})

forEachDialect('humcli agent commands: failures the server reports', (dialect) => {
  const server = useServer(dialect)
  const home = tempHome()
  after(() => home.drop())

  test('wrong API key → exit 3 with the request id', async () => {
    const r = await runHumcli(['tasks', 'list'], {
      HOME: home.home,
      HUMCLI_API_URL: server().url,
      HUMCLI_API_KEY: `ho_live_${'A'.repeat(48)}`,
    })
    assertFails(
      r,
      3,
      /^humcli: tasks list failed: the API key from HUMCLI_API_KEY was refused; check it, or run `npx humcli register` to create an agent\. \[401 UNAUTHORIZED, req_[0-9a-f]+\]\n$/,
    )
  })

  test('task not found → exit 4, and how to find your tasks', async () => {
    const agent = await newAgent(server())
    const r = await runHumcli(['tasks', 'get', 'task_doesnotexist'], {
      HOME: home.home,
      HUMCLI_API_URL: server().url,
      HUMCLI_API_KEY: agent.key,
    })
    assertFails(
      r,
      4,
      /^humcli: tasks get task_doesnotexist failed: Task not found\. Check the id: `npx humcli tasks list` shows yours\. \[404 NOT_FOUND, req_[0-9a-f]+\]\n$/,
    )
  })
})
