#!/usr/bin/env node
// `npm run check:layout`: the import graph of the workspace, checked against the layers of
// ARCHITECTURE.md ("An import goes down, never up") and the package walls of ADR 0012.
// Fails on an import cycle, on a runtime import that runs up the server's layers, and on a
// package importing what it must not. Type-only imports are erased at compile time, so they
// neither run up the layers nor form cycles (the `Ctx` type may name the ports it carries);
// only runtime edges decide module evaluation order. `--report` prints every finding without
// failing (to measure before and after a change).
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

// Run from the repository root (npm run check:layout does).
const ROOT = process.cwd()
const SERVER_SRC = process.env.LAYOUT_SERVER_SRC ?? 'apps/server/src'
/** `--types`: count type-only imports as edges too (a stricter view, for reports). */
const WITH_TYPES = process.argv.includes('--types')

/** The server's layers, from the bottom. A file's layer is found by its path under src/. */
export const LAYERS = [
  ['domain', ['domain/']],
  [
    'config',
    [
      'clock.ts',
      'version.ts',
      'config.ts',
      'config-read.ts',
      'config-sections.ts',
      'config-jobs.ts',
      'config-chain.ts',
      'secrets.ts',
      'faults.ts',
      'context.ts',
      'log/',
    ],
  ],
  ['store', ['store/']],
  ['ledger/outbox/jobs', ['ledger/', 'outbox/', 'jobs/']],
  [
    'features',
    [
      'agents/',
      'tasks/',
      'operators/',
      'proof/',
      'admin/',
      'guardian/',
      'credentials/',
      'payments/',
      'blobs/',
      'webhooks/',
      'sandbox/',
      'mail/',
      'metrics/',
      'staff/',
      'chain/',
      'retention/',
    ],
  ],
  ['worker', ['worker/']],
  ['http', ['http/']],
  ['composition', ['compose.ts', 'server.ts', 'sdk.ts']],
  // The process entry: `humcli serve` and `humcli admin` ask the composition root for a context.
  ['cli', ['cli/']],
]

/** What each package may import at run time, besides node built-ins and its npm dependencies. */
const PACKAGE_WALLS = {
  [path.dirname(SERVER_SRC) === '.' ? '' : path.dirname(SERVER_SRC)]: [
    'packages/contract',
    'packages/sdk',
    'packages/mcp',
  ],
  'packages/contract': [],
  'packages/sdk': ['packages/contract'],
  'packages/mcp': ['packages/sdk', 'packages/contract'],
  'apps/web': ['packages/sdk', 'packages/contract'],
}
const WORKSPACE_NAMES = {
  '@humcli/contract': 'packages/contract',
  '@humcli/sdk': 'packages/sdk',
  '@humcli/mcp': 'packages/mcp',
  humcli: 'apps/server',
}

/** The layer of a server file: the longest matching entry wins (`jobs/` before a shorter entry). */
function layerOf(rel) {
  const inSrc = rel.slice(SERVER_SRC.length + 1)
  let best = null
  LAYERS.forEach(([, entries], layer) => {
    for (const e of entries) {
      const hit = e.endsWith('/') ? inSrc.startsWith(e) : inSrc === e
      if (hit && (!best || e.length > best.length)) best = { layer, length: e.length }
    }
  })
  return best?.layer ?? null
}

function walk(dir, out = []) {
  if (!fs.existsSync(dir)) return out
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full, out)
    else if (/\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full)
  }
  return out
}

/** Every import of a file: specifier, whether it is erased at compile time, and whether it is lazy. */
export function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8')
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found = []
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      const typeOnly =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)))
      found.push({ spec: node.moduleSpecifier.text, typeOnly, lazy: false })
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const typeOnly =
        node.isTypeOnly ||
        (!!node.exportClause &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly))
      found.push({ spec: node.moduleSpecifier.text, typeOnly, lazy: false })
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, typeOnly: false, lazy: true })
    }
    ts.forEachChild(node, visit)
  }
  visit(sf)
  return found
}

function workspaceOf(rel) {
  return Object.keys(PACKAGE_WALLS).find((w) => rel === w || rel.startsWith(`${w}/`)) ?? null
}

function resolve(fromRel, spec) {
  if (spec.startsWith('.')) return path.normalize(path.join(path.dirname(fromRel), spec))
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
  if (WORKSPACE_NAMES[name]) return `${WORKSPACE_NAMES[name]}/#package`
  return null // an npm package or a node built-in
}

export function analyse() {
  const files = Object.keys(PACKAGE_WALLS).flatMap((w) => walk(path.join(ROOT, w, 'src')))
  const graph = new Map()
  const findings = { cycles: [], upward: [], walls: [] }
  for (const file of files) {
    const rel = path.relative(ROOT, file)
    const edges = []
    for (const imp of importsOf(file)) {
      const target = resolve(rel, imp.spec)
      if (!target) continue
      const fromWs = workspaceOf(rel)
      const toWs = workspaceOf(target)
      if (!imp.typeOnly && fromWs && toWs && fromWs !== toWs && !PACKAGE_WALLS[fromWs].includes(toWs)) {
        findings.walls.push(`${rel} imports ${imp.spec} (${fromWs} may not import ${toWs})`)
      }
      if (target.endsWith('#package') || (imp.typeOnly && !WITH_TYPES)) continue
      if (rel.startsWith(SERVER_SRC) && target.startsWith(SERVER_SRC)) {
        const a = layerOf(rel)
        const b = layerOf(target)
        if (a !== null && b !== null && b > a) {
          findings.upward.push(`${rel} (${LAYERS[a][0]}) imports ${imp.spec} (${LAYERS[b][0]})`)
        }
      }
      // A lazy import() runs after both modules finished evaluating: it cannot form a cycle.
      if (!imp.lazy) edges.push(target)
    }
    graph.set(rel, edges)
  }
  findings.cycles = stronglyConnected(graph).filter((c) => c.length > 1)
  return { files: files.length, findings }
}

/** Tarjan's strongly connected components. */
function stronglyConnected(graph) {
  let index = 0
  const stack = []
  const meta = new Map()
  const out = []
  const visit = (v) => {
    meta.set(v, { index, low: index, onStack: true })
    index++
    stack.push(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!meta.has(w)) {
        visit(w)
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low)
      } else if (meta.get(w).onStack) {
        meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index)
      }
    }
    if (meta.get(v).low === meta.get(v).index) {
      const component = []
      let w
      do {
        w = stack.pop()
        meta.get(w).onStack = false
        component.push(w)
      } while (w !== v)
      out.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!meta.has(v)) visit(v)
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = process.argv.includes('--report')
  const { files, findings } = analyse()
  const { cycles, upward, walls } = findings
  for (const c of cycles) console.log(`cycle: ${c.join(' → ')}`)
  for (const u of upward) console.log(`upward: ${u}`)
  for (const w of walls) console.log(`wall: ${w}`)
  console.log(
    `layout: ${files} files, ${cycles.length} import cycles, ${upward.length} imports up the layers, ${walls.length} package-wall breaches`,
  )
  if (!report && (cycles.length || upward.length || walls.length)) process.exit(1)
}
