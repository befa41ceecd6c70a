import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { DevChain, type PayoutPreflight, type PreparedPayout } from '../../src/payments/chain.ts'
import { client } from '../helpers/api.ts'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAgent,
  newOperator,
  type OperatorFixture,
} from '../helpers/fixtures.ts'
import type { TestServer } from '../helpers/harness.ts'

export const wallet = () => `0x${randomBytes(20).toString('hex')}`

export const payoutBody = (amount: number, over: Record<string, unknown> = {}) => ({
  amount_usd: amount,
  method: 'usdc',
  wallet_address: '0x52908400098527886E0F7030069857D2E4169EE7',
  chain: 'base',
  ...over,
})

/**
 * An operator whose available balance is `rewardUsd`: a real task completed through the API,
 * then the holding period passed on the manual clock. Returns the operator logged in again
 * (tokens expire as the clock moves).
 */
export async function fundedOperator(
  s: TestServer,
  rewardUsd: number,
  /** The agent that pays the task, funded with at least `rewardUsd` + fees (default: the dev chain's deposit). */
  payer?: AgentFixture,
): Promise<OperatorFixture> {
  const agent = payer ?? (await newAgent(s, { tier: 'STANDARD', deposit: rewardUsd + 100 }))
  const op = await newOperator(s)
  const taskId = await createTask(s, agent, { reward_usd: rewardUsd })
  await driveTo(s, agent, op, taskId, 'SUBMITTED')
  assert.equal((await agent.api.post(`/tasks/${taskId}/verify`, { decision: 'APPROVE' })).status, 200)
  s.clock.advance(s.ctx.config.earningsHoldMs)
  await s.runJobs()
  const login = await client(s.url).post('/operator/login', { email: op.email, password: op.password })
  assert.equal(login.status, 200, login.text)
  const fresh = { ...op, token: login.body.token, api: client(s.url, { token: login.body.token }) }
  const earnings = (await fresh.api.get('/operator/earnings')).body
  assert.equal(earnings.available_balance, rewardUsd)
  return fresh
}

/** Stands in for a chain whose payouts are refused (e.g. no hot wallet is configured). */
export class RefusingChain extends DevChain {
  override async preparePayout(): Promise<PayoutPreflight> {
    return { kind: 'refuse', reason: 'the payout wallet has insufficient USDC' }
  }
}

/** Stands in for a chain that counts the payouts it signs, and answers slowly. */
export class CountingChain extends DevChain {
  readonly sent: string[] = []
  override async signPayout(prepared: PreparedPayout, nonce: bigint) {
    this.sent.push(prepared.payoutId)
    await new Promise((r) => setTimeout(r, 20))
    return super.signPayout(prepared, nonce)
  }
}
