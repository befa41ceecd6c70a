// A small pure model of the task lifecycle and the money it moves (spec §7), for the
// property-based test next to it: no I/O, no clock but its own, integer micro-dollars.

export type Status =
  | 'PENDING'
  | 'ESTIMATE_PENDING'
  | 'ACCEPTED'
  | 'IN_PROGRESS'
  | 'SUBMITTED'
  | 'DISPUTED'
  | 'COMPLETED'
  | 'CANCELLED'

export type Cmd =
  | { t: 'create'; a: number; reward: number }
  | { t: 'accept'; o: number; k: number }
  | { t: 'approve' | 'rejectEstimate' | 'cancel'; a: number; k: number }
  | { t: 'start' | 'release' | 'submit'; o: number; k: number }
  | { t: 'verify'; a: number; k: number; approve: boolean }
  | { t: 'resolve'; k: number; outcome: 'REFUND_AGENT' | 'PAY_OPERATOR' | 'SPLIT'; percent: number }
  | { t: 'advance'; ms: number }

export interface ModelTask {
  id: string
  agent: number
  operator: number | null
  status: Status
  reward: bigint
  fee: bigint
  deadline: number
  estimateExpires: number
  /** Earnings waiting for release: amount and when. */
  earning: { amount: bigint; at: number } | null
}

export const HOUR = 3_600_000
const ESTIMATE_TTL = HOUR
const EARNINGS_HOLD = 48 * HOUR
const DEADLINE_AFTER = 24 * HOUR
const FEE_BPS = 500n
const MIN_FEE = 1_000_000n
const DEADLINE_CANCELLABLE: Status[] = ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS']

export const fee = (reward: bigint) => {
  const f = (reward * FEE_BPS) / 10_000n
  return f > MIN_FEE ? f : MIN_FEE
}

export class Model {
  now: number
  tasks: ModelTask[] = []
  agentAvailable: bigint[]
  agentEscrow: bigint[]
  opPending: bigint[]
  opAvailable: bigint[]

  constructor(now: number, agents: bigint[], operators: number) {
    this.now = now
    this.agentAvailable = [...agents]
    this.agentEscrow = agents.map(() => 0n)
    this.opPending = Array.from({ length: operators }, () => 0n)
    this.opAvailable = Array.from({ length: operators }, () => 0n)
  }

  task(k: number): ModelTask | null {
    return this.tasks.length === 0 ? null : this.tasks[k % this.tasks.length]!
  }

  /** Whether the command should succeed; `apply` then makes its change. */
  allows(c: Cmd): boolean {
    if (c.t === 'create') {
      const r = BigInt(c.reward) * 1_000_000n
      return this.agentAvailable[c.a]! >= r + fee(r)
    }
    if (c.t === 'advance') return true
    const t = this.task(c.k)
    if (!t) return false
    switch (c.t) {
      case 'accept':
        return t.status === 'PENDING' && this.now < t.deadline
      case 'approve':
      case 'rejectEstimate':
        return c.a === t.agent && t.status === 'ESTIMATE_PENDING'
      case 'cancel':
        return c.a === t.agent && ['PENDING', 'ESTIMATE_PENDING', 'ACCEPTED'].includes(t.status)
      case 'start':
        return c.o === t.operator && t.status === 'ACCEPTED'
      case 'release':
        return c.o === t.operator && ['ESTIMATE_PENDING', 'ACCEPTED', 'IN_PROGRESS'].includes(t.status)
      case 'submit':
        return c.o === t.operator && t.status === 'IN_PROGRESS'
      case 'verify':
        return c.a === t.agent && t.status === 'SUBMITTED'
      case 'resolve':
        return t.status === 'DISPUTED'
    }
  }

  private refund(t: ModelTask) {
    const e = t.reward + t.fee
    this.agentEscrow[t.agent]! -= e
    this.agentAvailable[t.agent]! += e
    t.status = 'CANCELLED'
  }

  private complete(t: ModelTask, share: bigint) {
    this.agentEscrow[t.agent]! -= t.reward + t.fee
    this.agentAvailable[t.agent]! += t.reward - share
    if (share > 0n) {
      this.opPending[t.operator!]! += share
      t.earning = { amount: share, at: this.now + EARNINGS_HOLD }
    }
    t.status = 'COMPLETED'
  }

  private toPending(t: ModelTask) {
    t.status = 'PENDING'
    t.operator = null
  }

  /** Applies an allowed command; `id` is the new task's id for a create. */
  apply(c: Cmd, id?: string): void {
    if (c.t === 'create') {
      const reward = BigInt(c.reward) * 1_000_000n
      const f = fee(reward)
      this.agentAvailable[c.a]! -= reward + f
      this.agentEscrow[c.a]! += reward + f
      this.tasks.push({
        id: id!,
        agent: c.a,
        operator: null,
        status: 'PENDING',
        reward,
        fee: f,
        deadline: this.now + DEADLINE_AFTER,
        estimateExpires: 0,
        earning: null,
      })
      return
    }
    if (c.t === 'advance') {
      this.advance(c.ms)
      return
    }
    const t = this.task(c.k)!
    switch (c.t) {
      case 'accept':
        t.status = 'ESTIMATE_PENDING'
        t.operator = c.o
        t.estimateExpires = this.now + ESTIMATE_TTL
        return
      case 'approve':
        t.status = 'ACCEPTED'
        return
      case 'rejectEstimate':
      case 'release':
        this.toPending(t)
        return
      case 'cancel':
        this.refund(t)
        return
      case 'start':
        t.status = 'IN_PROGRESS'
        return
      case 'submit':
        t.status = 'SUBMITTED'
        return
      case 'verify':
        if (c.approve) this.complete(t, t.reward)
        else t.status = 'DISPUTED'
        return
      case 'resolve':
        if (c.outcome === 'REFUND_AGENT') this.refund(t)
        else
          this.complete(
            t,
            c.outcome === 'PAY_OPERATOR'
              ? t.reward
              : (t.reward * BigInt(Math.round(c.percent * 100))) / 10_000n,
          )
    }
  }

  /** The timers that fall due: estimate expiry, deadline, earnings release. */
  private advance(ms: number) {
    this.now += ms
    for (const t of this.tasks) {
      if (t.status === 'ESTIMATE_PENDING' && this.now >= t.estimateExpires) this.toPending(t)
      if (DEADLINE_CANCELLABLE.includes(t.status) && this.now >= t.deadline) {
        t.operator = null
        this.refund(t)
      }
      if (t.earning && this.now >= t.earning.at) {
        this.opPending[t.operator!]! -= t.earning.amount
        this.opAvailable[t.operator!]! += t.earning.amount
        t.earning = null
      }
    }
  }
}
