import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'

const SRC = new URL('../src/', import.meta.url)
/** What the SDK may import: its own files, the contract, noble's hashes and (lazily) libsodium. */
const ALLOWED = [
  /^\.\//,
  /^@humcli\/contract(\/enums)?$/,
  /^@noble\/hashes\/[a-z0-9]+\.js$/,
  /^libsodium-wrappers$/,
]

// Node ≥ 20, Deno, Bun and browsers: no server code, no node: built-ins, no Buffer or process.
test('the SDK imports nothing from the server and nothing Node-only', () => {
  for (const file of fs.readdirSync(SRC)) {
    const text = fs.readFileSync(new URL(file, SRC), 'utf8')
    const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
    const imports = [...code.matchAll(/(?:from |import\()'([^']+)'/g)].map((m) => m[1]!)
    const bad = imports.filter((i) => !ALLOWED.some((a) => a.test(i)))
    assert.deepEqual(bad, [], `${file} imports ${bad.join(', ')}`)
    assert.doesNotMatch(code, /\bBuffer\.|\bprocess\./, `${file} uses a Node-only global`)
  }
})

test('at run time the SDK imports only the closed lists of the contract, not its schemas', () => {
  for (const file of fs.readdirSync(SRC)) {
    const text = fs.readFileSync(new URL(file, SRC), 'utf8')
    const valueImports = [...text.matchAll(/^import (?!type )[^'\n]*from '@humcli\/contract'/gm)]
    assert.deepEqual(valueImports, [], `${file}: import TypeBox schemas as types only`)
  }
})
