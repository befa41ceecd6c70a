import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import sharp from 'sharp'
import {
  dbEnv,
  forEachDialect,
  freshDatabase,
  type HumcliServer,
  startHumcliServe,
  type TestDb,
} from '../helpers/harness.ts'
import { connectMcp, type McpConnection, type ToolAnswer } from '../helpers/mcp.ts'

/** Each child compiles the sources with tsx on start: seconds on a busy machine. */
const START_MS = 60_000

function okAnswer(a: ToolAnswer) {
  assert.equal(a.isError, false, `expected success, got: ${a.text}`)
  return a.json
}

/**
 * Demonstration 2: the sandbox journey driven by the MCP SDK's own client over stdio, against a
 * real `humcli serve` with the real clock and its job workers (the simulated operator).
 */
forEachDialect('sandbox journey through `humcli mcp`', (dialect) => {
  let db: TestDb
  let server: HumcliServer | undefined
  let mcp: McpConnection | undefined

  before(async () => {
    db = await freshDatabase(dialect)
    server = await startHumcliServe(
      { ...dbEnv(db), PORT: '0', LOG_LEVEL: 'warn', HUMCLI_SANDBOX_STEP_MS: '100', HUMCLI_JOB_POLL_MS: '50' },
      [],
      START_MS,
    )
    // No key: the model starts by registering, as a new user of the MCP server would.
    mcp = await connectMcp({ HUMCLI_API_URL: server.url, HUMCLI_MCP_POLL_MS: '100' })
  })
  after(async () => {
    await mcp?.close()
    await server?.stop()
    await db?.drop()
  })

  test('register_agent → create_task → wait → approve_estimate → wait → COMPLETED with proof photos', async () => {
    const m = mcp!
    const reg = okAnswer(
      await m.call('register_agent', { name: 'MCP sandbox bot', email: 'mcp-e2e@example.com' }),
    )
    assert.equal(reg.tier, 'SANDBOX')

    const created = okAnswer(
      await m.call('create_task', {
        title: 'Photograph the storefront',
        description: 'The shop front and the opening hours sign.',
        task_type: 'PHOTO',
        reward_usd: 5,
        deadline_hours: 2,
        proof_requirements: ['photo of the storefront', 'photo of the opening hours'],
        location: { lat: -33.8688, lng: 151.2093, address: 'George St, Sydney' },
        location_radius_m: 50,
      }),
    )
    assert.equal(created.sandbox, true)
    assert.match(created.sandbox_notice, /simulated task/)
    assert.equal(created.money, 'Sandbox task: no money moved.')
    const id = created.task_id as string

    const estimated = okAnswer(
      await m.call('wait_for_task', { task_id: id, until: ['ESTIMATE_PENDING'], timeout_seconds: 30 }),
    )
    assert.equal(
      estimated.task.status,
      'ESTIMATE_PENDING',
      `the simulated operator should have offered an estimate: ${estimated.message}`,
    )
    assert.equal(estimated.reached, true)
    assert.ok(estimated.task.estimate.total_minutes > 0)

    const approved = okAnswer(await m.call('approve_estimate', { task_id: id }))
    assert.equal(approved.status, 'ACCEPTED')

    const done = okAnswer(
      await m.call('wait_for_task', { task_id: id, until: ['COMPLETED'], timeout_seconds: 60 }),
    )
    assert.equal(done.task.status, 'COMPLETED', done.message)
    assert.equal(done.reached, true)

    const task = okAnswer(await m.call('get_task', { task_id: id, full: true }))
    assert.deepEqual(
      task.transitions.map((t: { to: string }) => t.to),
      ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS', 'SUBMITTED', 'VERIFIED', 'COMPLETED'],
    )
    assert.ok(task.proof.photos.length >= 1, 'proof photos')
    assert.ok(task.proof.notes, 'proof notes')
    for (const url of task.proof.photos as string[]) {
      const res = await fetch(url)
      assert.equal(res.status, 200, url)
      const photo = Buffer.from(await res.arrayBuffer())
      assert.deepEqual([...photo.subarray(0, 3)], [0xff, 0xd8, 0xff], 'a JPEG by its magic bytes')
      const meta = await sharp(photo).metadata()
      assert.equal(meta.format, 'jpeg')
      assert.ok((meta.width ?? 0) >= 320, 'a real photo, not a placeholder pixel')
    }
    const balance = okAnswer(await m.call('get_balance'))
    assert.equal(balance.deposit_balance, 0)
    assert.equal(balance.escrow_balance, 0)
  })
})
