/**
 * The optional vision model, against a real local HTTP server speaking the OpenAI chat
 * completions API: its verdict joins the checks; garbage, errors and a slow answer (past a short
 * configured timeout) fall back to the rules with a check saying the model was unavailable.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import sharp from 'sharp'
import { createTask, driveTo, newAgent, newOperator, proofForm } from '../helpers/fixtures.ts'
import { forEachDialect, startTestServer, type TestServer } from '../helpers/harness.ts'
import { genuinePhotos } from '../helpers/images.ts'

type Mode = 'approve' | 'reject' | 'fenced' | 'garbage' | 'slow' | 'error'

/** A stand-in for an OpenAI-compatible endpoint; answers according to `mode`, records requests. */
class FakeModel {
  mode: Mode = 'approve'
  requests: { path: string; auth: string | undefined; body: any }[] = []
  private server = http.createServer((req, res) => {
    let raw = ''
    req.on('data', (d) => (raw += d))
    req.on('end', () => {
      this.requests.push({ path: req.url ?? '', auth: req.headers.authorization, body: JSON.parse(raw) })
      const answer = (content: string) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            id: 'chatcmpl-1',
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content } }],
          }),
        )
      }
      switch (this.mode) {
        case 'approve':
          return answer(
            JSON.stringify({
              verdict: 'approve',
              confidence: 96,
              reasoning: 'Both the storefront and the hours sign are visible.',
            }),
          )
        case 'reject':
          return answer(
            JSON.stringify({
              verdict: 'reject',
              confidence: 90,
              reasoning: 'The photos show a car park, not a storefront.',
            }),
          )
        case 'fenced':
          return answer('```json\n{"verdict":"approve","confidence":0.93,"reasoning":"Looks right."}\n```')
        case 'garbage':
          return answer('I think these photos look great, well done!')
        case 'error':
          res.writeHead(500, { 'content-type': 'application/json' })
          return res.end('{"error":{"message":"model overloaded"}}')
        case 'slow': {
          const t = setTimeout(
            () => answer('{"verdict":"approve","confidence":99,"reasoning":"late"}'),
            3_000,
          )
          res.on('close', () => clearTimeout(t))
        }
      }
    })
  })
  url = ''
  async start() {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`
  }
  async stop() {
    this.server.closeAllConnections()
    await new Promise((r) => this.server.close(r))
  }
}

const model = new FakeModel()
before(() => model.start())
after(() => model.stop())

async function reviewWith(s: TestServer, mode: Mode, seed: number) {
  model.mode = mode
  model.requests = []
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 100 })
  const op = await newOperator(s)
  const id = await createTask(s, agent)
  await driveTo(s, agent, op, id, 'IN_PROGRESS')
  s.clock.advance(10 * 60_000)
  const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, {
    form: proofForm(await genuinePhotos(s.clock.now(), seed)),
  })
  assert.equal(r.status, 200, r.text)
  await s.runJobs()
  const task = (await agent.api.get(`/tasks/${id}`)).body
  const vision = task.guardian_result.checks.find((c: { name: string }) => c.name === 'vision_model')
  return { task, vision, g: task.guardian_result }
}

forEachDialect('Guardian vision model', (dialect) => {
  // Started once the fake model listens, so the configuration can point at it.
  let started: TestServer | undefined
  before(async () => {
    started = await startTestServer(dialect, {
      guardianLlmUrl: model.url,
      guardianLlmKey: 'sk-test-123',
      guardianLlmModel: 'vision-test',
      guardianLlmTimeoutMs: 2_000,
    })
  })
  after(() => started?.close())
  const server = () => started!

  test('the request: chat completions with the key, the model, the requirements, notes and photos as data URLs', async () => {
    const s = server()
    const { g, vision } = await reviewWith(s, 'approve', 1)
    assert.equal(model.requests.length, 1)
    const req = model.requests[0]!
    assert.equal(req.path, '/v1/chat/completions')
    assert.equal(req.auth, 'Bearer sk-test-123')
    assert.equal(req.body.model, 'vision-test')
    const user = req.body.messages.find((m: { role: string }) => m.role === 'user')
    const text = user.content.find((c: { type: string }) => c.type === 'text').text
    assert.match(text, /1\. photo of the storefront\n2\. photo of the opening hours/)
    assert.match(text, /storefront and opening hours photographed/)
    const images = user.content.filter((c: { type: string }) => c.type === 'image_url')
    assert.equal(images.length, 2)
    for (const img of images) {
      const m = /^data:image\/jpeg;base64,(.+)$/.exec(img.image_url.url)
      assert.ok(m, 'a JPEG data URL')
      const meta = await sharp(Buffer.from(m[1]!, 'base64')).metadata()
      assert.equal(meta.format, 'jpeg')
      assert.equal(meta.exif, undefined, 'the model gets the stripped photo')
    }
    assert.equal(vision.score, 96)
    assert.equal(vision.weight, 3)
    assert.match(vision.reason, /vision-test.*approve.*storefront and the hours sign are visible/)
    assert.equal(g.decision, 'VERIFIED')
  })

  test('a confident rejection pulls genuine-looking proof down to MANUAL_REVIEW (it is weighed, not a gate)', async () => {
    const { g, vision, task } = await reviewWith(server(), 'reject', 2)
    assert.equal(vision.score, 10)
    assert.equal(g.decision, 'MANUAL_REVIEW')
    assert.equal(g.confidence, 70) // (6 × 100 + 3 × 10) / 9
    assert.equal(task.status, 'MANUAL_REVIEW')
    assert.match(g.reasoning, /car park/)
  })

  test('a fenced JSON answer with a 0–1 confidence is understood', async () => {
    const { vision, g } = await reviewWith(server(), 'fenced', 3)
    assert.equal(vision.score, 93)
    assert.equal(g.decision, 'VERIFIED')
  })

  for (const [mode, why] of [
    ['garbage', /not the JSON verdict asked for/],
    ['error', /answered HTTP 500/],
    ['slow', /no answer within 2000 ms/],
  ] as const) {
    test(`${mode}: falls back to the rules, with a check saying the model was unavailable`, async () => {
      const { vision, g, task } = await reviewWith(server(), mode, 10 + mode.length)
      assert.equal(model.requests.length, 1)
      assert.equal(vision.weight, 0)
      assert.match(vision.reason, /^Vision model unavailable \(/)
      assert.match(vision.reason, why)
      assert.match(vision.reason, /decided on the rules alone/)
      assert.equal(g.decision, 'VERIFIED', 'the rules alone approve genuine proof')
      assert.equal(g.confidence, 100)
      assert.equal(task.status, 'COMPLETED')
    })
  }
})
