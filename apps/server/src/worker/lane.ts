import type { JobLane } from '../config-jobs.ts'
import type { Ctx } from '../context.ts'
import type { JobKind } from '../jobs/enqueue.ts'
import { claimDueJobs, type JobRow, releaseJobs, runOne } from './claim.ts'

export interface LaneSpec {
  name: JobLane
  kinds: JobKind[]
  slots: number
  /** At most this many jobs of one group (an agent's webhook attempts) at once. */
  perGroup: number
}

/**
 * One lane of the runner (ADR 0013): its own kinds and slots. It claims as many due jobs as it
 * has free slots and starts each at once; a slot that frees is refilled by the next claim, so a
 * slow job holds one slot, never the lane or another lane.
 */
export class Lane {
  readonly running = new Map<bigint, Promise<void>>()
  private readonly groups = new Map<string, number>()
  private wakeUp: (() => void) | null = null
  private woken = false

  constructor(
    private readonly ctx: Ctx,
    private readonly workerId: string,
    readonly spec: LaneSpec,
    private readonly onFinished: () => void = () => {},
  ) {}

  /** Claims into the free slots and starts what it claimed; `more` = there may be more due now. */
  async fill(): Promise<{ started: number; more: boolean }> {
    const free = this.spec.slots - this.running.size
    if (free <= 0) return { started: 0, more: true }
    const jobs = await claimDueJobs(this.ctx, this.workerId, free, {
      kinds: this.spec.kinds,
      groups: { perGroup: this.spec.perGroup, running: this.groups },
    })
    // The claim takes only what each group has room for; this guard gives back anything over
    // (another lane of this process sharing a group, should one ever).
    const over: bigint[] = []
    for (const job of jobs) {
      if (job.group_key && (this.groups.get(job.group_key) ?? 0) >= this.spec.perGroup) over.push(job.id)
      else this.start(job)
    }
    await releaseJobs(this.ctx, this.workerId, over)
    // A group that reached its cap may hide other groups' due jobs behind its own: look again at
    // once, skipping it.
    const filled = jobs.some((j) => j.group_key && (this.groups.get(j.group_key) ?? 0) >= this.spec.perGroup)
    return { started: jobs.length - over.length, more: jobs.length === free || filled }
  }

  private start(job: JobRow): void {
    const group = job.group_key
    if (group) this.groups.set(group, (this.groups.get(group) ?? 0) + 1)
    const run = runOne(this.ctx, job, this.workerId)
      .catch((err) => this.ctx.log.error({ err, job: String(job.id) }, 'recording a job outcome failed'))
      .finally(() => {
        this.running.delete(job.id)
        if (group) {
          const n = (this.groups.get(group) ?? 1) - 1
          if (n > 0) this.groups.set(group, n)
          else this.groups.delete(group)
        }
        this.wake()
        this.onFinished()
      })
    this.running.set(job.id, run)
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
