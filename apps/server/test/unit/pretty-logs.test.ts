import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { prettyLine, wantsPrettyLogs } from '../../src/log/pretty.ts'
import { freshDatabase, HUMCLI_BIN, humcliEnv } from '../helpers/harness.ts'

test('a pino JSON line as a readable line: time, level, message, request, status, the rest', () => {
  const time = Date.parse('2026-06-01T14:02:03.120Z')
  const line = JSON.stringify({
    level: 30,
    time,
    pid: 1,
    hostname: 'h',
    reqId: 'req_1',
    req: { method: 'POST', url: '/api/v1/tasks' },
    res: { statusCode: 201 },
    responseTime: 12.4,
    msg: 'request completed',
  })
  assert.equal(
    prettyLine(line, false),
    '14:02:03.120  INFO   request completed  POST /api/v1/tasks  → 201 in 12 ms  req_1\n',
  )
  const mail = JSON.stringify({ level: 30, time, msg: 'mail written', links: ['http://x/?a=1'], to: 'a b' })
  assert.equal(
    prettyLine(mail, false),
    '14:02:03.120  INFO   mail written  links=["http://x/?a=1"] to="a b"\n',
  )
  const err = JSON.stringify({
    level: 50,
    time,
    msg: 'boom',
    err: { message: 'bad', stack: 'Error: bad\n at x' },
  })
  assert.equal(prettyLine(err, true), '14:02:03.120  \x1b[31mERROR\x1b[0m  boom\n    Error: bad\n     at x\n')
  assert.equal(prettyLine('not json', false), 'not json\n')
})

test('pretty only on a terminal in development, unless HUMCLI_LOG_FORMAT says', () => {
  assert.equal(wantsPrettyLogs({ env: 'development', logFormat: 'auto' }, true), true)
  assert.equal(wantsPrettyLogs({ env: 'development', logFormat: 'auto' }, false), false)
  assert.equal(wantsPrettyLogs({ env: 'production', logFormat: 'auto' }, true), false)
  assert.equal(wantsPrettyLogs({ env: 'production', logFormat: 'pretty' }, false), true)
  assert.equal(wantsPrettyLogs({ env: 'development', logFormat: 'json' }, true), false)
})

/** `humcli serve` under a real pseudo-terminal (`script`), then under a pipe. */
async function serveOutput(tty: boolean): Promise<string> {
  const db = await freshDatabase('sqlite')
  try {
    const env = humcliEnv({ HUMCLI_DATA_DIR: db.dir, PORT: '0', LOG_LEVEL: 'info' })
    const cmd = `${process.execPath} ${HUMCLI_BIN} serve`
    const child = tty
      ? spawn('script', ['-qfec', cmd, '/dev/null'], { env })
      : spawn(process.execPath, [HUMCLI_BIN, 'serve'], { env })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const deadline = Date.now() + 60_000
    while (!/listening on (http:\S+)/.test(out) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 100))
    }
    const url = /listening on (http:\/\/[0-9.:]+)/.exec(out)?.[1]
    assert.ok(url, out)
    await fetch(`${url}/healthz`)
    await new Promise((r) => setTimeout(r, 300))
    child.kill('SIGTERM')
    await new Promise((r) => child.once('close', r))
    return out
  } finally {
    await db.drop()
  }
}

test('npm start on a terminal prints readable lines; into a pipe, JSON lines', async () => {
  const [onTty, piped] = await Promise.all([serveOutput(true), serveOutput(false)])
  assert.match(
    onTty,
    /\d\d:\d\d:\d\d\.\d{3} {2}\S*INFO.* {2}incoming request {2}GET \/healthz .*\r?\n.*request completed {2}→ 200/,
  )
  assert.doesNotMatch(onTty, /\{"level":/)
  assert.match(piped, /^\{"level":30,.*"msg":"request completed"/m)
})
