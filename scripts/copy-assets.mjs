#!/usr/bin/env node
// Copies the server's non-TypeScript modules next to their compiled neighbours in dist/.
import fs from 'node:fs'

const root = new URL('../apps/server/', import.meta.url)
for (const file of ['store/checkpointer.mjs']) {
  fs.copyFileSync(new URL(`src/${file}`, root), new URL(`dist/${file}`, root))
}
