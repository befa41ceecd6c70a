import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { test } from 'node:test'

// semver is in the tree already (npm's own range rules, through several dependencies); the test
// uses it rather than a home-made reading of ranges such as "^18.17.0 || >=20.5.0".
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null
  satisfies(version: string, range: string): boolean
}
const root = new URL('../../../../', import.meta.url)

test('every package in the lockfile runs on the oldest Node our `engines` accepts (no EBADENGINE)', () => {
  const pkg = JSON.parse(fs.readFileSync(new URL('package.json', root), 'utf8'))
  const oldest = semver.minVersion(pkg.engines.node)!.version
  const lock = JSON.parse(fs.readFileSync(new URL('package-lock.json', root), 'utf8'))
  const refused = Object.entries(lock.packages as Record<string, { version?: string; engines?: unknown }>)
    .filter(([name, p]) => {
      const node = (p.engines as { node?: string } | undefined)?.node
      return name !== '' && typeof node === 'string' && !semver.satisfies(oldest, node)
    })
    .map(([name, p]) => `${name}@${p.version} needs node ${(p.engines as { node: string }).node}`)
  assert.deepEqual(refused, [], `engines says node ${pkg.engines.node}`)
})
