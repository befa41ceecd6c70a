import type { JobLane } from '../config-jobs.ts'
import type { Ctx } from '../context.ts'
import type { JobKind } from '../jobs/enqueue.ts'
import { claimDueJobs, type JobRow, runOne } from './claim.ts'

export interface LaneSpec {
  name: JobLane
  slots: number
  /**
   * A group's share (an agent's webhook attempts): this many of its items always get slots before
   * any group borrows more; beyond it a group only takes slots nobody else wants.
   */
  perGroup: number
}

/** How many items of each group run in this lane now, and the share each may have. */
export interface Shares {
  perGroup: number
  running: ReadonlyMap<string, number>
}

/**
 * What a lane claims and runs: jobs of its kinds (`jobWork`), or webhook attempts claimed straight
 * from their deliveries (`deliveryWork`, ADR 0027).
 */
export interface LaneWork<T> {
  /**
   * Up to `limit` due items, claimed for this worker; with `shares`, a group at its share gets
   * none and one with room no more than it has (items without a group are not capped).
   */
  claim(limit: number, shares?: Shares): Promise<T[]>
  run(item: T): Promise<void>
  key(item: T): string
  group(item: T): string | null
}

/** The jobs of `kinds` (no job kind has a group). */
export const jobWork = (ctx: Ctx, workerId: string, kinds: readonly JobKind[]): LaneWork<JobRow> => ({
  claim: (limit) => claimDueJobs(ctx, workerId, limit, { kinds }),
  run: (job) => runOne(ctx, job, workerId),
  key: (job) => String(job.id),
  group: () => null,
})

/** Slots that are never borrowed beyond a group's share: a quarter of the lane, at least one. */
export const reserveOf = (slots: number) => Math.max(1, Math.ceil(slots / 4))

/**
 * One lane of the runner (ADR 0013): its own kinds and slots. It claims as many due jobs as it
 * has free slots and starts each at once; a slot that frees is refilled by the next claim, so a
 * slow job holds one slot, never the lane or another lane.
 */
export class Lane<T> {
  readonly running = new Map<string, Promise<void>>()
  private readonly groups = new Map<string, number>()
  private wakeUp: (() => void) | null = null
  private woken = false
  /** When the claim by shares may run again while groups are at their cap (0: at once). */
  private sharesAgainAt = 0

  constructor(
    private readonly ctx: Ctx,
    readonly spec: LaneSpec,
    private readonly work: LaneWork<T>,
    private readonly onFinished: () => void = () => {},
  ) {}

  /** Claims into the free slots and starts what it claimed; `more` = there may be more due now. */
  async fill(): Promise<{ started: number; more: boolean }> {
    const { slots, perGroup } = this.spec
    const free = slots - this.running.size
    if (free <= 0) return { started: 0, more: true }
    let started = 0
    const cappedBefore = this.capped()
    // 1. Each group its share, earliest first. Leaving out the groups at their cap walks past
    // their due jobs, so while that finds nothing else it is done once per poll interval.
    if (cappedBefore.size === 0 || Date.now() >= this.sharesAgainAt) {
      const items = await this.work.claim(free, { perGroup, running: this.groups })
      for (const item of items) this.start(item)
      started += items.length
      this.sharesAgainAt =
        cappedBefore.size > 0 && items.length < free ? Date.now() + this.ctx.config.jobPollMs : 0
    }
    // 2. Slots no group's share wants may be borrowed by a group at its cap, the earliest due
    // first, but never the lane's last quarter: another group's job finds a slot free at once.
    const spare = free - started - reserveOf(slots)
    let cappedNow = started > 0 ? this.capped() : cappedBefore
    if (spare > 0 && cappedNow.size > 0) {
      const items = await this.work.claim(spare)
      for (const item of items) this.start(item)
      started += items.length
      if (items.length) cappedNow = this.capped()
    }
    // A group that reached its cap may hide other groups' due jobs behind its own: look again.
    const newlyCapped = [...cappedNow].some((g) => !cappedBefore.has(g))
    return { started, more: started === free || newlyCapped }
  }

  /** The groups at their share. */
  private capped(): Set<string> {
    return new Set([...this.groups].filter(([, n]) => n >= this.spec.perGroup).map(([g]) => g))
  }

  private start(item: T): void {
    const group = this.work.group(item)
    const key = this.work.key(item)
    if (group) this.groups.set(group, (this.groups.get(group) ?? 0) + 1)
    const run = this.work
      .run(item)
      .catch((err) =>
        this.ctx.log.error({ err, item: key, lane: this.spec.name }, 'running a claimed item failed'),
      )
      .finally(() => {
        this.running.delete(key)
        if (group) {
          const n = (this.groups.get(group) ?? 1) - 1
          if (n > 0) this.groups.set(group, n)
          else this.groups.delete(group)
        }
        this.wake()
        this.onFinished()
      })
    this.running.set(key, run)
  }

  /** A job of this lane may be due (NOTIFY, a finished job): look at once instead of at the next poll. */
  wake(): void {
    const w = this.wakeUp
    if (w) w()
    else this.woken = true
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wakeUp = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.wakeUp = done
    })
  }

  /** The worker loop: claim while there is work and room, else sleep until woken or the poll interval. */
  async loop(stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      let more = false
      try {
        more = (await this.fill()).more
      } catch (err) {
        this.ctx.log.error({ err, lane: this.spec.name }, 'job lane error')
      }
      if (stopped()) return
      if (!more || this.running.size >= this.spec.slots) await this.sleep(this.ctx.config.jobPollMs)
    }
  }
}
