import { monitorEventLoopDelay } from 'node:perf_hooks'
import { family } from './exposition.ts'

/**
 * Memory, start time and event-loop lag of this process, under the names Node dashboards
 * already know (those of prom-client's default metrics). The lag figures cover the time since the
 * previous scrape.
 */
export class ProcessMetrics {
  private readonly loop = monitorEventLoopDelay({ resolution: 20 })
  private readonly startedAt = Date.now() / 1000 - process.uptime()

  constructor() {
    this.loop.enable()
  }

  stop(): void {
    this.loop.disable()
  }

  render(): string {
    const mem = process.memoryUsage()
    const ns = 1e-9
    const lag = {
      mean: Number.isNaN(this.loop.mean) ? 0 : this.loop.mean * ns,
      p99: this.loop.percentile(99) * ns,
      max: this.loop.max * ns,
    }
    this.loop.reset()
    return (
      family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [
        { value: mem.rss },
      ]) +
      family('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap size in bytes.', [{ value: mem.heapTotal }]) +
      family('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap used in bytes.', [{ value: mem.heapUsed }]) +
      family(
        'process_start_time_seconds',
        'gauge',
        'Start time of the process since the Unix epoch, in seconds.',
        [{ value: Math.round(this.startedAt) }],
      ) +
      family('nodejs_eventloop_lag_mean_seconds', 'gauge', 'Mean event-loop delay since the last scrape.', [
        { value: lag.mean },
      ]) +
      family(
        'nodejs_eventloop_lag_p99_seconds',
        'gauge',
        '99th percentile event-loop delay since the last scrape.',
        [{ value: lag.p99 }],
      ) +
      family('nodejs_eventloop_lag_max_seconds', 'gauge', 'Longest event-loop delay since the last scrape.', [
        { value: lag.max },
      ])
    )
  }
}
