import assert from 'node:assert/strict'
import { test } from 'node:test'
import { enqueueJob } from '../../src/jobs/enqueue.ts'
import { withTx } from '../../src/store/tx.ts'
import { claimDueJobs } from '../../src/worker/runner.ts'
import { createTask, newAgent } from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/**
 * A strict reader of the Prometheus text format: every line is a comment (`# HELP`, `# TYPE`)
 * or `name{label="value",…} number`; every sample belongs to a family declared with HELP and
 * TYPE before it; no series appears twice. Throws on anything else.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  assert.ok(text.endsWith('\n'), 'ends with a newline')
  const types = new Map<string, string>()
  const helps = new Set<string>()
  const seen = new Set<string>()
  const samples: Sample[] = []
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) \S.*$/.exec(line)
    if (help) {
      assert.ok(!helps.has(help[1]!), `HELP twice for ${help[1]}`)
      helps.add(help[1]!)
      continue
    }
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (type) {
      assert.ok(helps.has(type[1]!), `HELP before TYPE for ${type[1]}`)
      types.set(type[1]!, type[2]!)
      continue
    }
    assert.ok(!line.startsWith('#'), `unknown comment: ${line}`)
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    assert.ok(m, `not a sample line: ${JSON.stringify(line)}`)
    const [, name, labelText = '', raw] = m
    const labels: Record<string, string> = {}
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y
    let rest = labelText
    while (rest.length > 0) {
      labelRe.lastIndex = 0
      const l = labelRe.exec(rest)
      assert.ok(l, `bad labels in ${line}`)
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\')
      rest = rest.slice(l[0].length)
    }
    const value = raw === '+Inf' ? Number.POSITIVE_INFINITY : Number(raw)
    assert.ok(!Number.isNaN(value), `value of ${line}`)
    const family = types.has(name!) ? name! : name!.replace(/_(bucket|sum|count)$/, '')
    assert.ok(types.has(family), `no TYPE for ${name}`)
    if (family !== name) assert.equal(types.get(family), 'histogram', `${name} outside a histogram`)
    const key = `${name}${JSON.stringify(labels)}`
    assert.ok(!seen.has(key), `series twice: ${key}`)
    seen.add(key)
    samples.push({ name: name!, labels, value })
  }
  return { samples, types }
}

async function scrape(s: TestServer, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/metrics`, { headers })
  assert.equal(res.status, 200, await res.clone().text())
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8')
  const parsed = parseExposition(await res.text())
  const value = (name: string, labels: Record<string, string> = {}) =>
    parsed.samples
      .filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
      .reduce((a, x) => a + x.value, 0)
  return { ...parsed, value }
}

forEachDialect('Prometheus metrics at /metrics', (dialect) => {
  const server = useServer(dialect)

  test('parses as Prometheus text, with every promised family', async () => {
    const m = await scrape(server())
    const expected: Record<string, string> = {
      humcli_http_requests_total: 'counter',
      humcli_http_request_duration_seconds: 'histogram',
      humcli_tasks: 'gauge',
      humcli_jobs_queued: 'gauge',
      humcli_jobs_due: 'gauge',
      humcli_jobs_running: 'gauge',
      humcli_jobs_failed_total: 'counter',
      humcli_retention_pruned_rows_total: 'counter',
      humcli_webhook_deliveries: 'gauge',
      humcli_payouts_waiting: 'gauge',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      process_start_time_seconds: 'gauge',
      nodejs_eventloop_lag_p99_seconds: 'gauge',
    }
    for (const [name, type] of Object.entries(expected)) assert.equal(m.types.get(name), type, name)
    assert.ok(m.value('process_resident_memory_bytes') > 1_000_000)
    assert.ok(m.value('process_start_time_seconds') > 1_600_000_000)
  })

  test('request counts and durations move, labelled by route pattern, never by URL', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const taskId = await createTask(s, agent)
    const route = { method: 'GET', route: '/api/v1/tasks/:id' }
    const before = await scrape(s)
    for (let i = 0; i < 3; i++) assert.equal((await agent.api.get(`/tasks/${taskId}`)).status, 200)
    assert.equal((await agent.api.get('/tasks/task_doesnotexist')).status, 404)
    const after = await scrape(s)

    const delta = (labels: Record<string, string>) =>
      after.value('humcli_http_requests_total', labels) - before.value('humcli_http_requests_total', labels)
    assert.equal(delta({ ...route, status: '200' }), 3)
    assert.equal(delta({ ...route, status: '404' }), 1)
    // The earlier scrape itself was counted.
    assert.ok(after.value('humcli_http_requests_total', { route: '/metrics', status: '200' }) >= 1)

    const count = (m: typeof after) =>
      m.value('humcli_http_request_duration_seconds_count', { route: route.route })
    assert.equal(count(after) - count(before), 4)
    const buckets = after.samples.filter(
      (x) => x.name === 'humcli_http_request_duration_seconds_bucket' && x.labels.route === route.route,
    )
    assert.equal(buckets.at(-1)!.labels.le, '+Inf')
    assert.equal(buckets.at(-1)!.value, count(after))
    for (let i = 1; i < buckets.length; i++) {
      assert.ok(
        Number(buckets[i]!.labels.le) > Number(buckets[i - 1]!.labels.le) || buckets[i]!.labels.le === '+Inf',
      )
      assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, 'buckets are cumulative')
    }
    assert.ok(after.value('humcli_http_request_duration_seconds_sum', { route: route.route }) > 0)

    for (const x of after.samples) {
      for (const v of Object.values(x.labels)) {
        assert.doesNotMatch(v, /task_[a-z0-9]{6,}|ag_[a-z0-9]{6,}/, `an id in a label: ${JSON.stringify(x)}`)
      }
    }
  })

  test('task, job and webhook gauges follow the database', async () => {
    const s = server()
    const before = await scrape(s)
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const taskId = await createTask(s, agent)
    const second = await createTask(s, agent)
    assert.equal((await agent.api.post(`/tasks/${second}/cancel`)).status, 200)
    // An endpoint nobody listens on: its deliveries stay pending, waiting for a retry.
    const hook = await agent.api.post('/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] })
    assert.equal(hook.status, 201, hook.text)
    await s.runJobs()
    // A job whose every attempt fails (its mail body cannot be decrypted), through the real runner.
    await withTx(s.ctx.store, (tx) =>
      enqueueJob(tx, {
        kind: 'email.send',
        payload: { id: 'mail_metrics', to: 'nobody@example.com', subject: 'never sent', sealed: 'AAAA' },
        runAt: s.clock.now(),
        now: s.clock.now(),
        maxAttempts: 1,
      }),
    )
    await s.runJobs()
    const after = await scrape(s)
    const delta = (name: string, labels: Record<string, string> = {}) =>
      after.value(name, labels) - before.value(name, labels)

    assert.equal(delta('humcli_tasks', { status: 'PENDING' }), 1, `${taskId} is PENDING, the other cancelled`)
    assert.equal(
      after.samples.filter((x) => x.name === 'humcli_tasks' && x.labels.status === 'CANCELLED').length,
      0,
    )
    assert.equal(delta('humcli_jobs_queued', { kind: 'task.deadline' }), 2, 'a deadline timer per task')
    assert.equal(
      after.value('humcli_jobs_due'),
      0,
      'the deadline timers are for tomorrow; nothing else is waiting',
    )
    assert.ok(delta('humcli_webhook_deliveries', { status: 'pending' }) >= 1)
    assert.equal(delta('humcli_jobs_failed_total'), 1)
    assert.equal(after.value('humcli_jobs_running'), 0)

    // A job claimed by a worker and not finished is running.
    await withTx(s.ctx.store, (tx) =>
      enqueueJob(tx, {
        kind: 'earnings.release',
        payload: { taskId: 'task_metrics', operatorId: 'op_metrics', amountMicros: '1' },
        runAt: s.clock.now(),
        now: s.clock.now(),
      }),
    )
    assert.equal((await scrape(s)).value('humcli_jobs_due'), 1)
    const claimed = await claimDueJobs(s.ctx, 'w_metrics_test', 1)
    assert.equal(claimed.length, 1)
    assert.equal((await scrape(s)).value('humcli_jobs_running'), 1)
  })
})

forEachDialect('/metrics with HUMCLI_METRICS_TOKEN', (dialect) => {
  const server = useServer(dialect, { metricsToken: 'scrape-secret-123' })

  test('without the token: 401 in our envelope; with it: the metrics', async () => {
    const s = server()
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: 'scrape-secret-123' },
    ]
    for (const headers of attempts) {
      const res = await fetch(`${s.url}/metrics`, { headers })
      assert.equal(res.status, 401, JSON.stringify(headers))
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="metrics"')
      const body = await res.json()
      assert.equal(body.code, 'UNAUTHORIZED')
      assert.match(body.error, /HUMCLI_METRICS_TOKEN/)
      assert.doesNotMatch(JSON.stringify(body), /scrape-secret-123/)
    }
    const m = await scrape(s, { authorization: 'Bearer scrape-secret-123' })
    assert.ok(m.value('humcli_http_requests_total', { route: '/metrics', status: '401' }) >= 3)
  })
})
