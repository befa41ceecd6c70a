import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { type TestContext, test } from 'node:test'
import { driveTo, newAgent, newOperator, taskBody } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer } from '../helpers/harness.ts'
import { freePort } from '../helpers/receiver.ts'

/** The receiver from the public docs, standard library only: 200 when the signature checks out, else 401. */
const PYTHON = `
import hashlib, hmac, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
SECRET = sys.argv[2].encode()
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        raw_body = self.rfile.read(int(self.headers['Content-Length']))
        expected = hmac.new(SECRET, raw_body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(expected, self.headers.get('X-Signature', ''))
        print('VALID' if ok else 'INVALID', raw_body.decode(), flush=True)
        self.send_response(200 if ok else 401)
        self.end_headers()
    def log_message(self, *a):
        pass
HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
`

async function python(t: TestContext, port: number, secret: string) {
  const child = spawn('python3', ['-c', PYTHON, String(port), secret])
  t.after(() => child.kill())
  const lines: string[] = []
  let buffered = ''
  // Chunks may split a line: keep the tail until its newline arrives.
  child.stdout.on('data', (d) => {
    buffered += String(d)
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    lines.push(...parts)
  })
  for (let i = 0; i < 400; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    )
    if (up) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return lines
}

/** The child's stdout may trail its HTTP answer: wait (briefly) for the verdict lines. */
/** The receiver's verdict lines, waiting (bounded) until `n` have been printed: stdout may lag the HTTP reply. */
async function verdicts(lines: string[], n: number): Promise<string[]> {
  const pick = () => lines.filter((l) => l.startsWith('VALID ') || l.startsWith('INVALID '))
  for (let i = 0; i < 250 && pick().length < n; i++) await new Promise((r) => setTimeout(r, 20))
  return pick()
}

forEachDialect('callbacks verified by a python receiver', (dialect) => {
  test('hmac.new(secret, raw_body, sha256).hexdigest() matches X-Signature', async (t) => {
    const s = await startTestServer(dialect)
    t.after(() => s.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const port = await freePort()
    const created = await agent.api.post('/tasks', {
      ...taskBody(s),
      callback_url: `http://127.0.0.1:${port}/hook`,
    })
    assert.equal(created.status, 201, created.text)
    const lines = await python(t, port, created.body.callback_secret)
    await driveTo(s, agent, await newOperator(s), created.body.task_id, 'IN_PROGRESS')
    await s.runJobs()
    const seen = await verdicts(lines, 3)
    assert.equal(seen.length, 3, lines.join('\n'))
    assert.ok(
      seen.every((l) => l.startsWith('VALID ')),
      seen.join('\n'),
    )
    const rows = await s.ctx.store.db.selectFrom('webhook_deliveries').select('status').execute()
    assert.deepEqual(
      rows.map((r) => r.status),
      ['succeeded', 'succeeded', 'succeeded'],
    )
  })

  test('the python receiver refuses a wrong secret (the test can fail)', async (t) => {
    const s = await startTestServer(dialect)
    t.after(() => s.close())
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
    const port = await freePort()
    const created = await agent.api.post('/tasks', {
      ...taskBody(s),
      callback_url: `http://127.0.0.1:${port}/h`,
    })
    const lines = await python(t, port, 'not-the-secret-at-all')
    await driveTo(s, agent, await newOperator(s), created.body.task_id, 'ESTIMATE_PENDING')
    await s.runJobs()
    assert.ok(
      (await verdicts(lines, 1)).some((l) => l.startsWith('INVALID ')),
      lines.join('\n'),
    )
    const [row] = await s.ctx.store.db.selectFrom('webhook_deliveries').selectAll().execute()
    assert.equal(row!.status, 'pending')
    assert.equal(row!.response_status, 401n)
  })
})
