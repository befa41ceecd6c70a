import { family, type Labels } from './exposition.ts'

/** Upper bounds (seconds) of the request-duration histogram buckets. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const

interface Histogram {
  /** Per-bucket counts, not cumulative; the last slot is +Inf. Made cumulative when rendered. */
  buckets: number[]
  sum: number
  count: number
}

/**
 * Per-process HTTP request counts and durations. `observe` runs once per response, so it does
 * only a map lookup, an increment and a short bucket search; everything else waits for a scrape.
 * The route label is the route pattern (`/api/v1/tasks/:id`), never the URL, so the number of
 * series stays bounded.
 */
export class HttpMetrics {
  private readonly requests = new Map<string, { method: string; route: string; status: string; n: number }>()
  private readonly durations = new Map<string, Histogram>()

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`
    const counter = this.requests.get(key)
    if (counter) counter.n++
    else this.requests.set(key, { method, route, status: String(status), n: 1 })

    let h = this.durations.get(route)
    if (!h) {
      h = { buckets: new Array(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 }
      this.durations.set(route, h)
    }
    let i = 0
    while (i < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[i]!) i++
    h.buckets[i]!++
    h.sum += seconds
    h.count++
  }

  render(): string {
    const requests = [...this.requests.values()].map((c) => ({
      labels: { method: c.method, route: c.route, status: c.status },
      value: c.n,
    }))
    const durations: { labels: Labels; value: number; suffix: string }[] = []
    for (const [route, h] of this.durations) {
      let cumulative = 0
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += h.buckets[i]!
        durations.push({ suffix: '_bucket', labels: { route, le: String(le) }, value: cumulative })
      })
      durations.push({ suffix: '_bucket', labels: { route, le: '+Inf' }, value: h.count })
      durations.push({ suffix: '_sum', labels: { route }, value: h.sum })
      durations.push({ suffix: '_count', labels: { route }, value: h.count })
    }
    return (
      family(
        'humcli_http_requests_total',
        'counter',
        'HTTP requests answered, by method, route pattern and status.',
        requests,
      ) +
      family(
        'humcli_http_request_duration_seconds',
        'histogram',
        'Time from request received to response sent, by route pattern.',
        durations,
      )
    )
  }
}
