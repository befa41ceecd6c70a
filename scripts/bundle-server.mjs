#!/usr/bin/env node
// Bundles the compiled `humcli` (dist/ from tsc) with esbuild into apps/server/dist/humcli.js and
// its chunks (dist/humcli-<hash>.js), which bin/humcli.js runs (ADR 0012, "Start-up"). Node's ESM
// loader spends most of a second resolving and linking the ~1,100 small modules of the server and
// its pure-JavaScript dependencies (kysely alone is 263 files, TypeBox 200); from a few chunks,
// `serve` answers /healthz in about a third of the time (issue 11's target, `npm run bench:startup`).
// Each dynamic import() stays a chunk of its own, so an agent command still loads only its
// command's code and never the server's. Not minified: stack traces keep their lines and names
// (minifying saved another ~8% only).
// Left outside: native addons and their loaders, packages that read files next to themselves
// (`@fastify/swagger` reads its package.json, swagger-ui serves its own files and loads
// `@fastify/static`, which the web app shares rather than load a second copy), and everything
// the server loads lazily with import(), which stays lazy. pino is inside: its worker transports
// (which find files next to themselves) are not used (`log/pretty.ts`).
// The chunks sit in dist/ itself, so paths made from import.meta.url (the web app's dist/, the
// SQLite checkpoint worker, copied next to them) resolve as they do from the separate modules.
// dist/humcli.meta.json lists each chunk's modules (the start-up test reads it).
import fs from 'node:fs'
import { build } from 'esbuild'

const dist = new URL('../apps/server/dist/', import.meta.url)
const OUTSIDE = [
  'better-sqlite3',
  'pg',
  'sharp',
  'exifr',
  'libsodium-wrappers',
  'nodemailer',
  '@aws-sdk/*',
  'viem',
  'viem/*',
  '@humcli/mcp',
  '@fastify/static',
  '@fastify/swagger',
  '@fastify/swagger-ui',
]

// Chunks of an earlier build are named by their hash: remove them first.
for (const name of fs.readdirSync(dist)) {
  if (/^humcli(-[A-Z0-9]+)?\.js$/.test(name)) fs.rmSync(new URL(name, dist))
}
const result = await build({
  entryPoints: { humcli: new URL('cli/entry.js', dist).pathname },
  outdir: dist.pathname,
  splitting: true,
  chunkNames: 'humcli-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: OUTSIDE,
  // Bundled CommonJS code calls require() for Node's built-ins and for the packages left outside.
  banner: {
    js: "import { createRequire as __humcliCreateRequire } from 'node:module'\nconst require = __humcliCreateRequire(import.meta.url)",
  },
  logLevel: 'warning',
  metafile: true,
})
fs.copyFileSync(new URL('store/checkpointer.mjs', dist), new URL('checkpointer.mjs', dist))
const chunks = Object.fromEntries(
  Object.entries(result.metafile.outputs).map(([file, out]) => [
    file.split('/').pop(),
    Object.keys(out.inputs),
  ]),
)
fs.writeFileSync(new URL('humcli.meta.json', dist), `${JSON.stringify(chunks, null, 1)}\n`)
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0)
const inputs = Object.keys(result.metafile.inputs).length
console.log(
  `bundled ${inputs} modules into apps/server/dist/humcli.js and ${Object.keys(chunks).length - 1} chunks (${Math.round(bytes / 1024)} KiB)`,
)
