/** The Guardian's pure parts: the combination formula, requirement reading, hashing, parsing. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from '../../src/config.ts'
import { check } from '../../src/guardian/check.ts'
import { CLIENT_EVIDENCE, captureTimeCheck, locationCheck } from '../../src/guardian/checks-photos.ts'
import { combineChecks } from '../../src/guardian/combine.ts'
import { coverage, expectedCredentialFields, photosRequired } from '../../src/guardian/requirements.ts'
import { parseVerdict } from '../../src/guardian/vision-model.ts'
import { hammingDistance, hashBands, REUSE_MAX_DISTANCE } from '../../src/proof/perceptual-hash.ts'
import type { StoredPhoto } from '../../src/proof/submit-proof.ts'

const T = { verifyAt: 90, manualAt: 50 }

test('confidence = min(weighted mean, lowest gate); thresholds decide; fraud always goes to people', () => {
  const all = (scores: number[]) => scores.map((s, i) => check(`c${i}`, s, 'r'))
  assert.deepEqual(
    [combineChecks(all([100, 100, 100]), T).decision, combineChecks(all([100, 100, 100]), T).confidence],
    ['VERIFIED', 100],
  )
  // One failed gate decides alone, however good the rest.
  assert.equal(combineChecks(all([100, 100, 5]), T).confidence, 5)
  assert.equal(combineChecks(all([100, 100, 5]), T).decision, 'RESUBMIT')
  assert.equal(combineChecks(all([100, 100, 60]), T).decision, 'MANUAL_REVIEW')
  // The lowest gate caps; a soft finding lowers the mean.
  assert.equal(combineChecks(all([92, 91, 90]), T).confidence, 90)
  const weakSoft = check('coverage', 70, 'r', { gate: false })
  assert.equal(combineChecks([...all([100, 100, 100]), weakSoft], T).confidence, 93) // 370 / 4
  // A soft check (not a gate) only weighs in the mean; weight 0 is information only.
  const soft = check('model', 10, 'no', { weight: 3, gate: false })
  const info = check('info', 0, 'down', { weight: 0, gate: false })
  const r = combineChecks([...all([100, 100, 100, 100, 100, 100]), soft, info], T)
  assert.deepEqual([r.confidence, r.decision], [70, 'MANUAL_REVIEW'])
  assert.deepEqual(r.checks.at(-1), { name: 'info', score: 0, reason: 'down', weight: 0 })
  // Fraud: MANUAL_REVIEW even when the score would send it back, and never VERIFIED.
  const fraud = check('photo_reuse', 0, 'reused', { fraud: true })
  assert.equal(combineChecks([...all([100, 100]), fraud], T).decision, 'MANUAL_REVIEW')
  assert.equal(
    combineChecks([...all([100, 100]), fraud], { verifyAt: 0, manualAt: 0 }).decision,
    'MANUAL_REVIEW',
  )
  assert.match(combineChecks([fraud], T).summary, /^Possible fraud\./)
})

test('requirements: photos asked for, key-word coverage, credential fields', () => {
  assert.equal(photosRequired(['photo of the storefront', 'Screenshot of the receipt', 'the address']), 2)
  const reqs = ['photo of the storefront', 'photo of the opening hours', 'a photo']
  assert.deepEqual(coverage(reqs, 'Storefronts photographed; hours sign on the door.'), {
    covered: 3,
    missing: [],
  })
  assert.deepEqual(coverage(reqs, 'done'), {
    covered: 1,
    missing: ['photo of the storefront', 'photo of the opening hours'],
  })
  assert.deepEqual(expectedCredentialFields('ACCOUNT_CREATION', ['the login and password']), [
    'username',
    'password',
  ])
  assert.deepEqual(expectedCredentialFields('API_KEY_PROCUREMENT', ['whatever you got']), ['api_key'])
  assert.deepEqual(expectedCredentialFields('PHONE_VERIFICATION', ['verify the number']), [])
})

test('capture time: with an offset exact; without one, local solar time at the task ±3 h', () => {
  const photo = (taken_at: string | null) =>
    ({ exif: { taken_at, gps: null, camera: null } }) as unknown as StoredPhoto
  const window = {
    from: new Date('2026-06-01T10:00:00Z'),
    to: new Date('2026-06-01T11:00:00Z'),
    toleranceMs: 0,
  }
  assert.equal(captureTimeCheck([photo('2026-06-01T12:30:00+02:00')], window, 13.4).score, 100)
  assert.equal(captureTimeCheck([photo('2026-06-01T13:30:00+02:00')], window, 13.4).score, 60, '30 min late')
  assert.equal(
    captureTimeCheck([photo('2026-05-30T12:30:00+02:00')], window, 13.4).score,
    5,
    'two days early',
  )
  // Berlin wall clock 12:30 (CEST) without a zone: solar estimate UTC+1, ±3 h → inside.
  assert.equal(captureTimeCheck([photo('2026-06-01T12:30:00')], window, 13.4).score, 100)
  assert.equal(captureTimeCheck([photo('2026-05-31T12:30:00')], window, 13.4).score, 5)
  assert.equal(captureTimeCheck([photo(null)], window, 13.4).score, 60)
})

test('hash bands find every hash within REUSE_MAX_DISTANCE bits (pigeonhole)', () => {
  const a = '0123456789abcdef'
  // Flip REUSE_MAX_DISTANCE bits spread over different bands: they still share a band.
  const flip = (h: string, bits: number[]) => {
    let n = BigInt(`0x${h}`)
    for (const b of bits) n ^= 1n << BigInt(b)
    return n.toString(16).padStart(16, '0')
  }
  const b = flip(a, [0, 17, 40].slice(0, REUSE_MAX_DISTANCE))
  assert.equal(hammingDistance(a, b), REUSE_MAX_DISTANCE)
  assert.ok(hashBands(a).some((band) => hashBands(b).includes(band)))
  assert.equal(hammingDistance(a, a), 0)
  assert.equal(hammingDistance('0000000000000000', 'ffffffffffffffff'), 64)
})

test('the model answer: JSON, fenced JSON, 0–1 confidences; anything else is no verdict', () => {
  assert.deepEqual(parseVerdict('{"verdict":"approve","confidence":88,"reasoning":"ok"}'), {
    verdict: 'approve',
    confidence: 88,
    reasoning: 'ok',
  })
  assert.equal(parseVerdict('```json\n{"verdict":"REJECT","confidence":0.9}\n```')?.confidence, 90)
  for (const bad of [
    'looks fine',
    '{"verdict":"maybe","confidence":50}',
    '{"verdict":"approve","confidence":150}',
    null,
    42,
  ]) {
    assert.equal(parseVerdict(bad), null, String(bad))
  }
})

test('Guardian settings: defaults, overrides, and a manual threshold above the verify one refused', () => {
  const d = loadConfig({})
  assert.deepEqual(
    [d.guardianVerifyAt, d.guardianManualAt, d.guardianLlmUrl, d.guardianLlmTimeoutMs, d.uploadMaxPixels],
    [90, 50, null, 20_000, 50_000_000],
  )
  const c = loadConfig({
    HUMCLI_GUARDIAN_VERIFY_AT: '95',
    HUMCLI_GUARDIAN_MANUAL_AT: '40',
    HUMCLI_GUARDIAN_LLM_URL: 'http://127.0.0.1:11434/v1',
    HUMCLI_GUARDIAN_LLM_MODEL: 'llava',
  })
  assert.deepEqual(
    [c.guardianVerifyAt, c.guardianManualAt, c.guardianLlmUrl, c.guardianLlmModel],
    [95, 40, 'http://127.0.0.1:11434/v1', 'llava'],
  )
  assert.throws(
    () => loadConfig({ HUMCLI_GUARDIAN_VERIFY_AT: '60', HUMCLI_GUARDIAN_MANUAL_AT: '70' }),
    ConfigError,
  )
  assert.throws(() => loadConfig({ HUMCLI_GUARDIAN_VERIFY_AT: '101' }), ConfigError)
})

test("a photo without EXIF GPS: the device's report counts only GPS-grade, in the radius, at the photo's own time (ADR 0022)", () => {
  const task = { lat: 52.52, lng: 13.405, radiusM: 200 }
  const accepted = new Date('2026-06-01T10:00:00Z')
  const window = { from: accepted, to: new Date('2026-06-01T11:00:00Z'), toleranceMs: 10 * 60_000 }
  const photo = (taken_at: string | null, gps: { lat: number; lng: number } | null = null) =>
    ({ exif: { taken_at, gps, camera: null } }) as unknown as StoredPhoto
  const at = (min: number) => new Date(accepted.getTime() + min * 60_000).toISOString()
  const report = (over: Record<string, unknown> = {}) => ({
    lat: 52.5201,
    lng: 13.4051,
    accuracy_m: 12,
    captured_at: at(30),
    ...over,
  })
  const score = (p: StoredPhoto, e: ReturnType<typeof report> | null) =>
    locationCheck([p], task, { evidence: [e], window }).score
  const taken = at(29.5).replace('.000Z', 'Z')
  assert.equal(score(photo(taken), report()), CLIENT_EVIDENCE.corroborated)
  assert.equal(CLIENT_EVIDENCE.corroborated, T.verifyAt, 'just the verify threshold, never above it')
  assert.equal(score(photo(taken), null), 60, 'no report: as before')
  assert.equal(score(photo(null), report()), CLIENT_EVIDENCE.uncorroborated, 'no EXIF time to agree with')
  assert.equal(
    score(photo(taken), report({ captured_at: at(45) })),
    CLIENT_EVIDENCE.uncorroborated,
    '15 min off',
  )
  assert.equal(
    score(photo(taken), report({ captured_at: at(43) })),
    CLIENT_EVIDENCE.corroborated,
    'within 15 min',
  )
  assert.equal(
    score(photo(at(-90)), report({ captured_at: at(-89) })),
    CLIENT_EVIDENCE.uncorroborated,
    'before the window',
  )
  assert.equal(score(photo(taken), report({ accuracy_m: 100 })), CLIENT_EVIDENCE.corroborated)
  assert.equal(score(photo(taken), report({ accuracy_m: 101 })), 60, 'a network position')
  // 278 m away: inside the radius only if the accuracy covers the difference.
  assert.equal(score(photo(taken), report({ lat: 52.5225 })), 60)
  assert.equal(score(photo(taken), report({ lat: 52.5225, accuracy_m: 90 })), CLIENT_EVIDENCE.corroborated)
  assert.equal(score(photo(taken), report({ lat: 52.538 })), CLIENT_EVIDENCE.farAway, '2 km away')
  // EXIF GPS decides when it is there: a report at the task cannot rescue a photo taken 2 km off.
  assert.equal(score(photo(taken, { lat: 52.538, lng: 13.405 }), report()), 5)
})
