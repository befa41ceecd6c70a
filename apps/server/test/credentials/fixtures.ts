import assert from 'node:assert/strict'
import {
  type AgentFixture,
  createTask,
  driveTo,
  type OperatorFixture,
  TINY_JPEG,
} from '../helpers/fixtures.ts'
import type { TestServer } from '../helpers/harness.ts'

export interface CredentialFields {
  username?: string
  password?: string
  api_key?: string
  credential_notes?: string
}

/** A credential-domain task body (no location needed). */
export const credentialTask = (over: Record<string, unknown> = {}) => ({
  task_type: 'ACCOUNT_CREATION',
  title: 'Create an account on example.com',
  description: 'Sign up for an account and hand over the login.',
  proof_requirements: ['account created'],
  location: undefined,
  reward_usd: 12,
  ...over,
})

export function credentialForm(fields: CredentialFields, notes = 'account created') {
  const form = new FormData()
  form.append('notes', notes)
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v)
  form.append('photos', new Blob([new Uint8Array(TINY_JPEG)], { type: 'image/jpeg' }), 'screen.jpg')
  return form
}

/** Creates a credential task, drives it to IN_PROGRESS and submits `fields` through the real API. */
export async function submitCredentialTask(
  s: TestServer,
  agent: AgentFixture,
  op: OperatorFixture,
  fields: CredentialFields,
  over: Record<string, unknown> = {},
): Promise<string> {
  const taskId = await createTask(s, agent, credentialTask(over))
  await driveTo(s, agent, op, taskId, 'IN_PROGRESS')
  const r = await op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form: credentialForm(fields) })
  assert.equal(r.status, 200, r.text)
  return taskId
}

export async function approve(agent: AgentFixture, taskId: string) {
  const r = await agent.api.post(`/tasks/${taskId}/verify`, { decision: 'APPROVE' })
  assert.equal(r.status, 200, r.text)
  assert.equal(r.body.status, 'COMPLETED')
  return r.body
}
