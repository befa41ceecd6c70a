import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, test } from 'node:test'
import sodium from 'libsodium-wrappers'
import { assertFails, assertOk, tempHome } from '../helpers/cli.ts'
import { newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, runHumcli, useServer } from '../helpers/harness.ts'
import { startReceiver } from '../helpers/receiver.ts'

async function seal(publicKey: string, taskId: string, field: string, value: string) {
  await sodium.ready
  const b64 = sodium.base64_variants.ORIGINAL
  const box = sodium.crypto_box_seal(
    JSON.stringify({ task_id: taskId, field, value }),
    sodium.from_base64(publicKey, b64),
  )
  return sodium.to_base64(box, b64)
}

forEachDialect('humcli tasks create --key-file / tasks credential', (dialect) => {
  const server = useServer(dialect)
  const home = tempHome()
  after(() => home.drop())

  test('create makes a 0600 keypair file and sends its public key; credential opens sealed values with it', async () => {
    const s = server()
    s.clock.set(new Date())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 50 })
    const keyFile = path.join(home.home, 'task-keys.json')
    const env = { HOME: home.home, HUMCLI_API_URL: s.url, HUMCLI_API_KEY: agent.key }
    const created = await runHumcli(
      [
        'tasks',
        'create',
        '--type',
        'ACCOUNT_CREATION',
        '--title',
        'Open a test account',
        '--description',
        'Sign up at example.com with a new mailbox',
        '--reward',
        '3',
        '--proof',
        'the account login',
        '--key-file',
        keyFile,
        '--json',
      ],
      env,
    )
    assertOk(created)
    assert.match(
      created.stderr,
      /^New keypair written to .+task-keys\.json; keep it: the credential opens only with it\.\n$/,
    )
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600)
    const kp = JSON.parse(fs.readFileSync(keyFile, 'utf8'))
    const task = JSON.parse(created.stdout)
    assert.equal(task.agent_public_key, kp.publicKey)
    assert.equal(task.domain, 'CREDENTIAL')

    // The retrieval endpoint answers as spec §5 says; a local server stands in for it here
    // (test/e2e/*-sandbox tests take the same path through the real server).
    const stand = await startReceiver()
    try {
      const id = task.task_id as string
      stand.reply = () => ({
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task_id: id, encryption: 'x25519-sealedbox', encrypted_credential: sealed }),
      })
      const sealed = {
        username: await seal(kp.publicKey, id, 'username', 'bot@example.com'),
        password: await seal(kp.publicKey, id, 'password', 'correct horse'),
      }
      const standEnv = { ...env, HUMCLI_API_URL: stand.url }
      const opened = await runHumcli(['tasks', 'credential', id, '--key-file', keyFile], standEnv)
      assertOk(opened)
      assert.equal(opened.stdout, 'username: bot@example.com\npassword: correct horse\n')
      assert.equal(stand.received[0]!.path, `/api/v1/tasks/${id}/retrieve-credential`)
      assert.equal(stand.received[0]!.headers['x-api-key'], agent.key)

      assertFails(
        await runHumcli(['tasks', 'credential', id], standEnv),
        2,
        /the credential is sealed to your public key; pass --key-file with the keypair used at creation\./,
      )
      sealed.password = await seal(kp.publicKey, 'task_other', 'password', 'stolen')
      assertFails(
        await runHumcli(['tasks', 'credential', id, '--key-file', keyFile], standEnv),
        1,
        /was made for task_other\/password, not task_\w+\/password: refusing a box replayed from elsewhere\./,
      )
    } finally {
      await stand.close()
    }
  })
})
