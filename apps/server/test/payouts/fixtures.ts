import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { type ChainPort, type DepositClaim, DevChain } from '../../src/payments/chain.ts'
import { client } from '../helpers/api.ts'
import { createTask, driveTo, newAgent, newOperator, type OperatorFixture } from '../helpers/fixtures.ts'
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
export async function fundedOperator(s: TestServer, rewardUsd: number): Promise<OperatorFixture> {
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: rewardUsd + 100 })
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

/** Stands in for a chain whose payouts are refused (e.g. the hot wallet is empty). */
export class RefusingChain extends DevChain {
  override async sendPayout(): Promise<{ txHash: string }> {
    throw new Error('the payout wallet has insufficient USDC')
  }
}

/** Stands in for a chain that counts what it is asked to send, and answers slowly. */
export class CountingChain implements ChainPort {
  readonly name = 'counting'
  readonly sent: string[] = []
  private readonly dev = new DevChain()
  verifyDeposit(claim: DepositClaim) {
    return this.dev.verifyDeposit(claim)
  }
  async sendPayout(input: { payoutId: string; toAddress: string; amountMicros: bigint }) {
    this.sent.push(input.payoutId)
    await new Promise((r) => setTimeout(r, 20))
    return this.dev.sendPayout()
  }
}
