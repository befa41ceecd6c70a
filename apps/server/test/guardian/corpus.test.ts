/**
 * Issue 4, "what it must show" 1: a labelled corpus of proofs, generated here, submitted through
 * the real HTTP API and reviewed by the real `guardian.review` job. The confusion matrix is
 * printed (and written to bench/results/guardian-corpus.md when HUMCLI_WRITE_CORPUS_REPORT=1).
 * No bad proof may be auto-VERIFIED; at least 90% of the genuine proofs must be.
 *
 * Issue 12 adds proofs as the web app sends them from a phone that strips EXIF GPS: the device's
 * position, accuracy and time per photo (`client_evidence`, ADR 0022). None of the bad ones may
 * be approved on the device's word, and the genuine ones must not all go to manual review.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import {
  type AgentFixture,
  createTask,
  driveTo,
  newAgent,
  newOperator,
  type OperatorFixture,
} from '../helpers/fixtures.ts'
import { forEachDialect, type TestServer, useServer } from '../helpers/harness.ts'
import { makeFlat, makePhoto, type PhotoOptions } from '../helpers/images.ts'

const MIN = 60_000

interface City {
  name: string
  lat: number
  lng: number
  /** The zone offset in June, as a phone writes it. */
  offset: string
}

const CITIES: City[] = [
  { name: 'Berlin', lat: 52.52, lng: 13.405, offset: '+02:00' },
  { name: 'New York', lat: 40.7128, lng: -74.006, offset: '-04:00' },
  { name: 'Tokyo', lat: 35.6762, lng: 139.6503, offset: '+09:00' },
  { name: 'Sydney', lat: -33.8688, lng: 151.2093, offset: '+10:00' },
  { name: 'São Paulo', lat: -23.5505, lng: -46.6333, offset: '-03:00' },
  { name: 'Nairobi', lat: -1.2864, lng: 36.8172, offset: '+03:00' },
  { name: 'Mumbai', lat: 19.076, lng: 72.8777, offset: '+05:30' },
  { name: 'London', lat: 51.5072, lng: -0.1276, offset: '+01:00' },
]

type Label = 'genuine' | 'bad'
type Outcome = 'VERIFIED' | 'MANUAL_REVIEW' | 'RESUBMIT' | 'REFUSED'

/** What a case submits, decided when the task is in progress (so times can follow the clock). */
interface Submission {
  photos: Buffer[]
  notes: string
  fields?: Record<string, string>
  /** The web app's `client_evidence`: per photo, the device's position and time, or null. */
  evidence?: (Device | null)[]
}

interface Device {
  lat: number
  lng: number
  accuracy_m: number
  captured_at: string
}

interface Case {
  name: string
  label: Label
  task: (city: City) => Record<string, unknown>
  proof: (ctx: { now: Date; city: City; seed: number }) => Promise<Submission>
}

const PHOTO_TASK = (city: City) => ({
  title: `Photograph the storefront in ${city.name}`,
  task_type: 'PHOTO',
  location: { lat: city.lat, lng: city.lng, address: `1 Main St, ${city.name}` },
  proof_requirements: ['photo of the storefront', 'photo of the opening hours sign'],
})
const GOOD_NOTES =
  'Storefront photographed from across the street; opening hours sign on the door photographed.'

/** A genuine photo: a few minutes old, a few dozen metres from the spot, with the city's zone. */
const genuine = (c: { now: Date; city: City; seed: number }, over: Partial<PhotoOptions> = {}) =>
  makePhoto({
    seed: c.seed,
    width: 640,
    height: 480,
    takenAt: new Date(c.now.getTime() - 5 * MIN),
    offset: c.city.offset,
    gps: { lat: c.city.lat + ((c.seed % 7) - 3) * 0.0002, lng: c.city.lng + ((c.seed % 5) - 2) * 0.0002 },
    ...over,
  })

const twoGenuine = async (c: { now: Date; city: City; seed: number }, over: Partial<PhotoOptions> = {}) => [
  await genuine(c, over),
  await genuine({ ...c, seed: c.seed + 1000 }, over),
]

function cases(): Case[] {
  const out: Case[] = []
  // ── genuine ────────────────────────────────────────────────────────────────────────────────
  for (let i = 0; i < 12; i++) {
    out.push({
      name: `genuine storefront #${i + 1}`,
      label: 'genuine',
      task: PHOTO_TASK,
      proof: async (c) => ({ photos: await twoGenuine(c), notes: GOOD_NOTES }),
    })
  }
  for (const format of ['png', 'webp'] as const) {
    out.push({
      name: `genuine storefront as ${format.toUpperCase()}`,
      label: 'genuine',
      task: PHOTO_TASK,
      proof: async (c) => ({ photos: await twoGenuine(c, { format }), notes: GOOD_NOTES }),
    })
  }
  out.push({
    name: 'genuine, camera wrote local time without a zone',
    label: 'genuine',
    task: PHOTO_TASK,
    proof: async (c) => ({ photos: await twoGenuine(c, { omitOffset: true }), notes: GOOD_NOTES }),
  })
  out.push({
    name: 'genuine inspection with three photos',
    label: 'genuine',
    task: (city) => ({
      title: 'Inspect the bike rack',
      task_type: 'INSPECTION',
      location: { lat: city.lat, lng: city.lng },
      proof_requirements: [
        'photo of the whole rack',
        'photo of the damaged lock',
        'photo of the street sign',
      ],
    }),
    proof: async (c) => ({
      photos: [...(await twoGenuine(c)), await genuine({ ...c, seed: c.seed + 2000 })],
      notes: 'Whole rack shown, the damaged lock is the third from the left, street sign at the corner.',
    }),
  })
  for (const [i, notes] of [
    'Corrected company address: 12 Baker Street, London NW1. Phone number confirmed by calling: +44 20 7946 0000.',
    'Company address is correct as listed (4 Rue de Rivoli, Paris). The phone number was confirmed: +33 1 23 45 67 89.',
  ].entries()) {
    out.push({
      name: `genuine data validation #${i + 1}`,
      label: 'genuine',
      task: () => ({
        title: 'Validate a company record',
        task_type: 'DATA_VALIDATION',
        location: undefined,
        proof_requirements: ['the corrected company address', 'the phone number you confirmed'],
      }),
      proof: async () => ({ photos: [], notes }),
    })
  }
  out.push({
    name: 'genuine account creation',
    label: 'genuine',
    task: CREDENTIAL_TASK,
    proof: async () => ({
      photos: [],
      notes: '',
      fields: { username: 'agent-bot-77', password: 'S3cure!pass' },
    }),
  })
  out.push({
    name: 'genuine API key procurement',
    label: 'genuine',
    task: () => ({
      title: 'Get an API key for the weather service',
      task_type: 'API_KEY_PROCUREMENT',
      location: undefined,
      proof_requirements: ['the API key for the free plan'],
    }),
    proof: async () => ({ photos: [], notes: '', fields: { api_key: 'wx_live_1234567890abcdef' } }),
  })

  // ── bad ────────────────────────────────────────────────────────────────────────────────────
  for (let i = 0; i < 3; i++) {
    out.push({
      name: `wrong place (2 km away) #${i + 1}`,
      label: 'bad',
      task: PHOTO_TASK,
      proof: async (c) => ({
        photos: await twoGenuine(c, { gps: { lat: c.city.lat + 0.018, lng: c.city.lng } }),
        notes: GOOD_NOTES,
      }),
    })
  }
  for (let i = 0; i < 3; i++) {
    out.push({
      name: `stale capture time (${i + 2} days old) #${i + 1}`,
      label: 'bad',
      task: PHOTO_TASK,
      proof: async (c) => ({
        photos: await twoGenuine(c, { takenAt: new Date(c.now.getTime() - (i + 2) * 24 * 60 * MIN) }),
        notes: GOOD_NOTES,
      }),
    })
  }
  out.push({
    name: 'capture time a day in the future',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => ({
      photos: await twoGenuine(c, { takenAt: new Date(c.now.getTime() + 24 * 60 * MIN) }),
      notes: GOOD_NOTES,
    }),
  })
  for (let i = 0; i < 2; i++) {
    out.push({
      name: `no EXIF at all #${i + 1}`,
      label: 'bad',
      task: PHOTO_TASK,
      proof: async (c) => ({ photos: await twoGenuine(c, { noExif: true }), notes: GOOD_NOTES }),
    })
  }
  // The scene of genuine case #1 (seed 1), re-stamped with fresh, plausible EXIF: only the
  // perceptual hash can tell.
  for (const [i, sameOperator] of [false, true].entries()) {
    out.push({
      name: `photo reused from another task (${sameOperator ? 'same' : 'another'} operator) #${i + 1}`,
      label: 'bad',
      task: PHOTO_TASK,
      proof: async (c) => ({
        photos: [await genuine({ ...c, seed: 1 }), await genuine({ ...c, seed: c.seed + 1000 })],
        notes: GOOD_NOTES,
      }),
    })
  }
  const flat = (c: { now: Date; city: City; seed: number }, grey: number, noiseSigma = 0) =>
    makeFlat({
      seed: c.seed,
      grey,
      noiseSigma,
      takenAt: new Date(c.now.getTime() - 5 * MIN),
      offset: c.city.offset,
      gps: { lat: c.city.lat, lng: c.city.lng },
    })
  for (const [name, make] of [
    ['blank white', (c: Parameters<typeof flat>[0]) => flat(c, 255)],
    ['blank black', (c: Parameters<typeof flat>[0]) => flat(c, 0)],
    ['nearly uniform grey', (c: Parameters<typeof flat>[0]) => flat(c, 128, 3)],
    ['nearly uniform beige', (c: Parameters<typeof flat>[0]) => flat(c, 200, 2)],
    ['blurred', (c: Parameters<typeof flat>[0]) => genuine(c, { blur: 6 })],
    ['badly blurred', (c: Parameters<typeof flat>[0]) => genuine(c, { blur: 12 })],
  ] as const) {
    out.push({
      name: `${name} photo`,
      label: 'bad',
      task: PHOTO_TASK,
      proof: async (c) => ({
        photos: [await make(c), await genuine({ ...c, seed: c.seed + 1000 })],
        notes: GOOD_NOTES,
      }),
    })
  }
  out.push({
    name: 'tiny photo (160×120)',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => ({
      photos: [await genuine(c, { width: 160, height: 120 }), await genuine({ ...c, seed: c.seed + 1000 })],
      notes: GOOD_NOTES,
    }),
  })
  for (let i = 0; i < 2; i++) {
    out.push({
      name: `too few photos (1 of 2) #${i + 1}`,
      label: 'bad',
      task: PHOTO_TASK,
      proof: async (c) => ({ photos: [await genuine(c)], notes: GOOD_NOTES }),
    })
  }
  for (let i = 0; i < 2; i++) {
    out.push({
      name: `empty notes #${i + 1}`,
      label: 'bad',
      task: PHOTO_TASK,
      proof: async (c) => ({ photos: await twoGenuine(c), notes: '' }),
    })
  }
  out.push({
    name: 'digital task without a result',
    label: 'bad',
    task: () => ({
      title: 'Validate a company record',
      task_type: 'DATA_VALIDATION',
      location: undefined,
      proof_requirements: ['the corrected company address', 'the phone number you confirmed'],
    }),
    proof: async () => ({ photos: [], notes: '' }),
  })
  out.push({
    name: 'credential task with no credential (refused at submission)',
    label: 'bad',
    task: CREDENTIAL_TASK,
    proof: async () => ({ photos: [], notes: 'account created' }),
  })
  out.push({
    name: 'credential task with the password missing',
    label: 'bad',
    task: CREDENTIAL_TASK,
    proof: async () => ({ photos: [], notes: '', fields: { username: 'agent-bot-78' } }),
  })
  return out
}

type CaseCtx = { now: Date; city: City; seed: number }

/** What the phone's Geolocation API said when the photo was picked, `afterCapture` after it was taken. */
const device = (c: CaseCtx, over: Partial<Device> & { afterCapture?: number } = {}): Device => {
  const { afterCapture = 20_000, ...rest } = over
  return {
    lat: c.city.lat + ((c.seed % 3) - 1) * 0.0001,
    lng: c.city.lng + 0.0001,
    accuracy_m: 6 + (c.seed % 25),
    captured_at: new Date(c.now.getTime() - 5 * MIN + afterCapture).toISOString(),
    ...rest,
  }
}

/** Two photos with a capture time but the GPS stripped (what many phone browsers upload). */
const twoStripped = (c: CaseCtx, over: Partial<PhotoOptions> = {}) => twoGenuine(c, { gps: null, ...over })

/** The proofs the web app sends: EXIF GPS stripped, the device's report beside each photo. */
function appCases(): Case[] {
  const out: Case[] = []
  for (let i = 0; i < 6; i++) {
    out.push({
      name: `app: genuine, EXIF GPS stripped, device position #${i + 1}`,
      label: 'genuine',
      task: PHOTO_TASK,
      proof: async (c) => ({
        photos: await twoStripped(c),
        notes: GOOD_NOTES,
        evidence: [device(c), device(c)],
      }),
    })
  }
  out.push({
    name: 'app: genuine, photos from the gallery (device report 18 min after capture)',
    label: 'genuine',
    task: PHOTO_TASK,
    proof: async (c) => {
      // Taken during the work, picked from the gallery just before sending: the report is later.
      const later = { afterCapture: 5 * MIN }
      return {
        photos: await twoStripped(c, { takenAt: new Date(c.now.getTime() - 18 * MIN) }),
        notes: GOOD_NOTES,
        evidence: [device(c, later), device(c, later)],
      }
    },
  })
  out.push({
    name: 'app: genuine, no device position (location refused)',
    label: 'genuine',
    task: PHOTO_TASK,
    proof: async (c) => ({ photos: await twoStripped(c), notes: GOOD_NOTES }),
  })
  // ── bad, each with a device report that says "at the task" unless the case says otherwise ──
  for (let i = 0; i < 2; i++) {
    out.push({
      name: `app: no EXIF at all, device position at the task #${i + 1}`,
      label: 'bad',
      task: PHOTO_TASK,
      proof: async (c) => ({
        photos: await twoGenuine(c, { noExif: true }),
        notes: GOOD_NOTES,
        evidence: [device(c), device(c)],
      }),
    })
  }
  out.push({
    name: 'app: GPS stripped, photos 2 days old, device position at the task now',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => ({
      photos: await twoStripped(c, { takenAt: new Date(c.now.getTime() - 2 * 24 * 60 * MIN) }),
      notes: GOOD_NOTES,
      evidence: [device(c), device(c)],
    }),
  })
  out.push({
    name: 'app: GPS stripped, device 2 km away',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => {
      const far = { lat: c.city.lat + 0.018 }
      return { photos: await twoStripped(c), notes: GOOD_NOTES, evidence: [device(c, far), device(c, far)] }
    },
  })
  out.push({
    name: 'app: GPS stripped, device position from the network (±1.5 km)',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => {
      const ip = { accuracy_m: 1500 }
      return { photos: await twoStripped(c), notes: GOOD_NOTES, evidence: [device(c, ip), device(c, ip)] }
    },
  })
  out.push({
    name: 'app: GPS stripped, device report replayed from before the task was accepted',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => {
      const old = { afterCapture: -3 * 60 * MIN }
      return { photos: await twoStripped(c), notes: GOOD_NOTES, evidence: [device(c, old), device(c, old)] }
    },
  })
  out.push({
    name: 'app: EXIF GPS 2 km away, device position at the task (the page contradicts the file)',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => ({
      photos: await twoGenuine(c, { gps: { lat: c.city.lat + 0.018, lng: c.city.lng } }),
      notes: GOOD_NOTES,
      evidence: [device(c), device(c)],
    }),
  })
  out.push({
    name: 'app: blank photo, GPS stripped, device position at the task',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => ({
      photos: [
        await makeFlat({ seed: c.seed, takenAt: new Date(c.now.getTime() - 5 * MIN), offset: c.city.offset }),
        await genuine({ ...c, seed: c.seed + 1000 }, { gps: null }),
      ],
      notes: GOOD_NOTES,
      evidence: [device(c), device(c)],
    }),
  })
  out.push({
    name: 'app: GPS stripped, device position for one photo of two',
    label: 'bad',
    task: PHOTO_TASK,
    proof: async (c) => ({ photos: await twoStripped(c), notes: GOOD_NOTES, evidence: [device(c), null] }),
  })
  return out
}

function CREDENTIAL_TASK() {
  return {
    title: 'Create an account on the forum',
    task_type: 'ACCOUNT_CREATION',
    location: undefined,
    proof_requirements: ['the account username', 'the account password'],
  }
}

async function submit(op: OperatorFixture, taskId: string, sub: Submission) {
  const form = new FormData()
  form.append('notes', sub.notes)
  for (const [k, v] of Object.entries(sub.fields ?? {})) form.append(k, v)
  if (sub.evidence) form.append('client_evidence', JSON.stringify(sub.evidence))
  sub.photos.forEach((p, i) => {
    form.append('photos', new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), `photo${i}.jpg`)
  })
  return op.api.post(`/operator/tasks/${taskId}/proof`, undefined, { form })
}

interface Result {
  name: string
  label: Label
  outcome: Outcome
  confidence: number | null
  weakest: string
}

async function runCase(
  s: TestServer,
  agent: AgentFixture,
  ops: OperatorFixture[],
  c: Case,
  i: number,
): Promise<Result> {
  const city = CITIES[i % CITIES.length]!
  // Cases rotate over a few operators (the reuse cases include "same operator" and "another").
  const op = ops[i % ops.length]!
  const body = c.task(city)
  const id = await createTask(s, agent, { location: undefined, ...body })
  await driveTo(s, agent, op, id, 'IN_PROGRESS')
  s.clock.advance(20 * MIN)
  const sub = await c.proof({ now: s.clock.now(), city, seed: i + 1 })
  const r = await submit(op, id, sub)
  if (r.status !== 200) {
    assert.equal(r.status, 400, `${c.name}: ${r.text}`)
    return { name: c.name, label: c.label, outcome: 'REFUSED', confidence: null, weakest: r.body.error }
  }
  await s.runJobs()
  const task = (await agent.api.get(`/tasks/${id}`)).body
  const g = task.guardian_result
  assert.ok(g, `${c.name}: reviewed`)
  const expectStatus = { VERIFIED: 'COMPLETED', MANUAL_REVIEW: 'MANUAL_REVIEW', RESUBMIT: 'IN_PROGRESS' }
  assert.equal(task.status, expectStatus[g.decision as keyof typeof expectStatus], c.name)
  const weakest = [...g.checks].sort((a, b) => a.score - b.score)[0]
  return {
    name: c.name,
    label: c.label,
    outcome: g.decision,
    confidence: g.confidence,
    weakest: weakest && weakest.score < 90 ? `${weakest.name} ${weakest.score}: ${weakest.reason}` : '',
  }
}

function report(results: Result[], dialect: string): string {
  const outcomes: Outcome[] = ['VERIFIED', 'MANUAL_REVIEW', 'RESUBMIT', 'REFUSED']
  const count = (l: Label, o: Outcome) => results.filter((r) => r.label === l && r.outcome === o).length
  const lines = [
    `# Guardian corpus (${results.length} proofs, ${dialect})`,
    '',
    'Generated by `test/guardian/corpus.test.ts`: real photos made with sharp, submitted through the',
    'HTTP API, reviewed by the `guardian.review` job with the default thresholds (90 / 50), no vision model.',
    '',
    '## Confusion matrix',
    '',
    `| label \\ decision | ${outcomes.join(' | ')} | total |`,
    `|---|${outcomes.map(() => '---:').join('|')}|---:|`,
    ...(['genuine', 'bad'] as Label[]).map(
      (l) =>
        `| ${l} | ${outcomes.map((o) => count(l, o)).join(' | ')} | ${results.filter((r) => r.label === l).length} |`,
    ),
    '',
    `Precision of auto-approval: ${count('genuine', 'VERIFIED')}/${results.filter((r) => r.outcome === 'VERIFIED').length} verified proofs are genuine.`,
    `Recall on genuine proofs: ${count('genuine', 'VERIFIED')}/${results.filter((r) => r.label === 'genuine').length} auto-approved.`,
    (() => {
      const app = results.filter((r) => r.name.startsWith('app: '))
      const of = (l: Label) => app.filter((r) => r.label === l)
      const v = (l: Label) => of(l).filter((r) => r.outcome === 'VERIFIED').length
      return `From the web app, EXIF GPS stripped, device position sent (ADR 0022): genuine ${v('genuine')}/${of('genuine').length} auto-approved, bad ${v('bad')}/${of('bad').length}.`
    })(),
    '',
    '## Every proof',
    '',
    '| proof | label | decision | confidence | weakest check |',
    '|---|---|---|---:|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.label} | ${r.outcome} | ${r.confidence ?? '—'} | ${r.weakest.replace(/\|/g, '\\|')} |`,
    ),
  ]
  return `${lines.join('\n')}\n`
}

forEachDialect('Guardian labelled corpus', (dialect) => {
  // Three operators carry the whole corpus (15 h of clock), so they may hold many unfinished
  // tasks at once and their tokens must outlive the run.
  const server = useServer(dialect, { operatorMaxActiveTasks: 100, operatorTokenTtlS: 7 * 86_400 })

  test('no bad proof is auto-VERIFIED; at least 90% of genuine proofs are', async () => {
    const s = server()
    const agent = await newAgent(s, { tier: 'STANDARD', deposit: 2000 })
    const all = [...cases(), ...appCases()]
    assert.ok(all.length >= 55, `${all.length} proofs`)
    const results: Result[] = []
    const ops = [await newOperator(s), await newOperator(s), await newOperator(s)]
    for (const [i, c] of all.entries()) results.push(await runCase(s, agent, ops, c, i))
    const text = report(results, dialect)
    console.log(text)
    if (process.env.HUMCLI_WRITE_CORPUS_REPORT === '1' && dialect === 'sqlite') {
      fs.writeFileSync(new URL('../../bench/results/guardian-corpus.md', import.meta.url), text)
    }
    const badVerified = results.filter((r) => r.label === 'bad' && r.outcome === 'VERIFIED')
    assert.deepEqual(
      badVerified.map((r) => r.name),
      [],
      'no bad proof may be auto-VERIFIED',
    )
    const genuine = results.filter((r) => r.label === 'genuine')
    const approved = genuine.filter((r) => r.outcome === 'VERIFIED')
    assert.ok(
      approved.length >= Math.ceil(0.9 * genuine.length),
      `${approved.length}/${genuine.length} genuine proofs auto-approved: ${genuine
        .filter((r) => r.outcome !== 'VERIFIED')
        .map((r) => `${r.name} → ${r.outcome} (${r.weakest})`)
        .join('; ')}`,
    )
    // From the app (EXIF GPS stripped): never approved on the device's word alone, and the
    // device's word lets most genuine proofs through without a person.
    const app = results.filter((r) => r.name.startsWith('app: '))
    assert.deepEqual(
      app.filter((r) => r.label === 'bad' && r.outcome === 'VERIFIED').map((r) => r.name),
      [],
    )
    const appGenuine = app.filter((r) => r.label === 'genuine')
    const appApproved = appGenuine.filter((r) => r.outcome === 'VERIFIED')
    assert.ok(
      appApproved.length >= 6,
      `${appApproved.length}/${appGenuine.length} genuine app proofs approved`,
    )
    assert.ok(
      appApproved.length < appGenuine.length,
      'a report that does not match the photo goes to a person',
    )
    for (const r of app.filter((x) =>
      /no EXIF at all|one photo of two|network|2 km away$|replayed|gallery/.test(x.name),
    )) {
      assert.equal(r.outcome, 'MANUAL_REVIEW', `${r.name}: ${r.weakest}`)
    }
    // The reused photos are caught as reuse, and sent to people rather than back to the operator.
    for (const r of results.filter((x) => x.name.startsWith('photo reused'))) {
      assert.equal(r.outcome, 'MANUAL_REVIEW', r.name)
      assert.match(r.weakest, /^photo_reuse 0/, r.name)
    }
  })
})
