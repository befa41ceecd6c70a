import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createAdminToken } from '../../src/admin/admin-tokens.ts'
import { setAgentTier } from '../../src/admin/set-tier.ts'
import type { Tier } from '../../src/domain/tiers.ts'
import { applyReviewDecision, type ReviewResult } from '../../src/guardian/apply-decision.ts'
import { type Client, client } from './api.ts'
import type { TestServer } from './harness.ts'

const uniq = () => randomBytes(5).toString('hex')
export const txHash = () => `0x${randomBytes(32).toString('hex')}`

/**
 * A tiny but real JPEG (1×1 grey pixel) that decodes completely (made with sharp). The Guardian
 * judges it too small to be evidence; tests about proof quality use `test/helpers/images.ts`.
 */
export const TINY_JPEG = Buffer.from(
  '/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAABAAEDASIAAhEBAxEB/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAUAQEAAAAAAAAAAAAAAAAAAAAA/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwDAQACEQMRAD8AAA//2Q==',
  'base64',
)

export interface AgentFixture {
  id: string
  key: string
  api: Client
}

/** Registers an agent, optionally sets its tier and deposits funds through the dev chain. */
export async function newAgent(
  s: TestServer,
  opts: { tier?: Tier; deposit?: number } = {},
): Promise<AgentFixture> {
  const anon = client(s.url)
  const r = await anon.post('/agents/register', {
    name: `agent ${uniq()}`,
    email: `agent-${uniq()}@example.com`,
  })
  assert.equal(r.status, 201, r.text)
  const agent = {
    id: r.body.agent_id as string,
    key: r.body.api_key as string,
    api: client(s.url, { key: r.body.api_key }),
  }
  if (opts.tier) await setAgentTier(s.ctx, agent.id, opts.tier)
  if (opts.deposit) {
    const d = await agent.api.post('/agents/deposit/usdc', {
      tx_hash: txHash(),
      amount_usdc: opts.deposit,
      chain: 'base',
    })
    assert.equal(d.status, 201, d.text)
  }
  return agent
}

export interface OperatorFixture {
  id: string
  email: string
  password: string
  token: string
  api: Client
}

export async function newOperator(
  s: TestServer,
  body: Record<string, unknown> = {},
): Promise<OperatorFixture> {
  const email = `op-${uniq()}@example.com`
  const password = 'correct horse battery'
  const r = await client(s.url).post('/operator/register', {
    name: `operator ${uniq()}`,
    email,
    password,
    ...body,
  })
  assert.equal(r.status, 201, r.text)
  return {
    id: r.body.operator_id,
    email,
    password,
    token: r.body.token,
    api: client(s.url, { token: r.body.token }),
  }
}

export async function newAdmin(s: TestServer): Promise<{ id: string; token: string; api: Client }> {
  const t = await createAdminToken(s.ctx, 'test')
  return { id: t.id, token: t.token, api: client(s.url, { token: t.token }) }
}

/** A valid PHOTO task body whose deadline is a day after the server's clock. */
export function taskBody(s: TestServer, over: Record<string, unknown> = {}) {
  return {
    title: 'Photograph the storefront',
    description: 'Take two photos of the shop front at 1 Main St, including the opening hours sign.',
    task_type: 'PHOTO',
    reward_usd: 15,
    deadline: new Date(s.clock.now().getTime() + 24 * 3_600_000).toISOString(),
    proof_requirements: ['photo of the storefront', 'photo of the opening hours'],
    location: { lat: 52.52, lng: 13.405, address: '1 Main St' },
    ...over,
  }
}

export async function createTask(s: TestServer, agent: AgentFixture, over: Record<string, unknown> = {}) {
  const r = await agent.api.post('/tasks', taskBody(s, over))
  assert.equal(r.status, 201, r.text)
  return r.body.task_id as string
}

export function proofForm(
  photos: Buffer[] = [TINY_JPEG],
  notes = 'storefront and opening hours photographed',
) {
  const form = new FormData()
  form.append('notes', notes)
  photos.forEach((p, i) => {
    form.append('photos', new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), `photo${i}.jpg`)
  })
  return form
}

export const STEPS = ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS', 'SUBMITTED'] as const
export type Step = (typeof STEPS)[number]

/** Drives a task through the real API to `target` (one of the steps up to SUBMITTED). */
export async function driveTo(
  _s: TestServer,
  agent: AgentFixture,
  op: OperatorFixture,
  taskId: string,
  target: Step,
) {
  const idx = STEPS.indexOf(target)
  const expect = async (p: Promise<{ status: number; text: string }>) => {
    const r = await p
    assert.equal(r.status, 200, r.text)
  }
  if (idx >= 1)
    await expect(op.api.post(`/operator/tasks/${taskId}/accept`, { estimate_hours: 2, estimate_minutes: 30 }))
  if (idx >= 2) await expect(agent.api.post(`/tasks/${taskId}/estimate/approve`))
  if (idx >= 3) await expect(op.api.post(`/operator/tasks/${taskId}/start`))
  if (idx >= 4) await expect(op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form: proofForm() }))
}

/** Applies a chosen review result through the verb the Guardian calls, for tests that need one decision without building its evidence. */
export async function review(
  s: TestServer,
  taskId: string,
  decision: ReviewResult['decision'],
  confidence = 70,
) {
  const task = await applyReviewDecision(s.ctx, taskId, {
    decision,
    confidence,
    reasoning: `test review: ${decision}`,
    checks: [],
  })
  if (!task) throw new Error(`review of ${taskId} applied nothing`)
  return task
}
