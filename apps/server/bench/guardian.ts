// Guardian benchmark (issue 4): the upload pipeline per photo and the Guardian's review per photo,
// in-process on SQLite, with real generated photos at phone sizes. `npm run bench:guardian`.
import fs from 'node:fs'
import path from 'node:path'
import { reviewProof } from '../src/guardian/review-submission.ts'
import { processPhoto } from '../src/proof/process-photo.ts'
import { findTask } from '../src/tasks/load.ts'
import { createTask, driveTo, newAgent, newOperator, proofForm } from '../test/helpers/fixtures.ts'
import { startTestServer } from '../test/helpers/harness.ts'
import { makePhoto } from '../test/helpers/images.ts'
import { machine, ROOT } from './lib.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 20)
const SIZES: [string, number, number][] = [
  ['1 MP (1280×800)', 1280, 800],
  ['12 MP (4000×3000)', 4000, 3000],
]

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6
const fmt = (x: number) => x.toFixed(x < 10 ? 1 : 0)

interface Row {
  what: string
  size: string
  n: number
  p50: number
  p99: number
  bytes?: number
}
const rows: Row[] = []

// ── the upload pipeline: header check, EXIF, decode + rotate + re-encode, dHash ──────────────
for (const [size, width, height] of SIZES) {
  const photos = await Promise.all(
    [1, 2, 3, 4].map((seed) =>
      makePhoto({ seed, width, height, takenAt: new Date(), gps: { lat: 52.52, lng: 13.405 } }),
    ),
  )
  const times: number[] = []
  await processPhoto('warm-up', photos[0]!, { maxBytes: 15 * 2 ** 20, maxPixels: 50e6 })
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint()
    await processPhoto(`p${i}`, photos[i % photos.length]!, { maxBytes: 15 * 2 ** 20, maxPixels: 50e6 })
    times.push(ms(t0))
  }
  const bytes = Math.round(photos.reduce((s, p) => s + p.length, 0) / photos.length)
  rows.push({
    what: 'upload pipeline, per photo',
    size,
    n: RUNS,
    p50: pct(times, 50),
    p99: pct(times, 99),
    bytes,
  })
  console.log(`pipeline ${size}: p50 ${fmt(pct(times, 50))} ms, p99 ${fmt(pct(times, 99))} ms`)
}

// ── the Guardian's review of real submitted proofs (2 photos each), excluding the decision's write ─
const s = await startTestServer('sqlite', { operatorMaxActiveTasks: 1000 })
try {
  const agent = await newAgent(s, { tier: 'STANDARD', deposit: 5000 })
  const op = await newOperator(s)
  for (const [size, width, height] of SIZES) {
    const perPhoto: number[] = []
    for (let i = 0; i <= RUNS; i++) {
      const id = await createTask(s, agent)
      await driveTo(s, agent, op, id, 'IN_PROGRESS')
      s.clock.advance(60_000) // small steps: the operator token (1 h) must outlive the run
      // Seeds differ per size too: the same scene at another size is (rightly) a reused photo.
      const photos = await Promise.all(
        [0, 1].map((k) =>
          makePhoto({
            seed: 1 + k * 100_000 + width * 10 + i,
            width,
            height,
            takenAt: new Date(s.clock.now().getTime() - 30_000),
            offset: '+02:00',
            gps: { lat: 52.52, lng: 13.405 },
          }),
        ),
      )
      const r = await op.api.post(`/operator/tasks/${id}/proof`, undefined, { form: proofForm(photos) })
      if (r.status !== 200) throw new Error(r.text)
      const task = (await findTask(s.ctx.store.db, id))!
      const t0 = process.hrtime.bigint()
      const review = await reviewProof(s.ctx, task)
      const took = ms(t0)
      if (i > 0) perPhoto.push(took / photos.length) // the first is a warm-up
      if (review.decision !== 'VERIFIED') throw new Error(`genuine proof not verified: ${review.reasoning}`)
      await s.runJobs() // apply it, so the task is done and the index grows as in production
    }
    rows.push({
      what: 'Guardian review, per photo',
      size,
      n: RUNS,
      p50: pct(perPhoto, 50),
      p99: pct(perPhoto, 99),
    })
    console.log(
      `guardian ${size}: p50 ${fmt(pct(perPhoto, 50))} ms/photo, p99 ${fmt(pct(perPhoto, 99))} ms/photo`,
    )
  }
} finally {
  await s.close()
}

const out = [
  `# Guardian benchmark ${new Date().toISOString()}`,
  '',
  `Machine: ${machine()}.`,
  `Command: \`npm run bench:guardian\` (BENCH_RUNS=${RUNS}; in-process, SQLite, no vision model). Photos are generated textured scenes with EXIF (GPS, time, camera), JPEG quality 90.`,
  '',
  '- **upload pipeline**: `processPhoto` on one photo — magic bytes, header-only pixel count, EXIF, full decode with orientation, re-encode as metadata-free JPEG, dHash.',
  "- **Guardian review**: `reviewProof` on a submitted proof of 2 photos (read both blobs, decode and measure contrast and Laplacian focus, reuse lookup in the hash index, all rules), divided by 2. The decision's transaction is not included.",
  '',
  '| what | photo size | avg file | runs | p50 ms | p99 ms |',
  '|---|---|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.what} | ${r.size} | ${r.bytes ? `${(r.bytes / 2 ** 20).toFixed(1)} MB` : '—'} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p99)} |`,
  ),
  '',
].join('\n')
process.stdout.write(out)
fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true })
fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'guardian-latest.md'), out)
