import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Resolver, resolveTarget, TargetRefused } from '../../src/webhooks/target-url.ts'

const prod = { env: 'production' as const }
const dev = { env: 'development' as const }

/** A hostile DNS: names that resolve to places a webhook must never reach. */
const evilDns: Resolver = async (host) => {
  const table: Record<string, string[]> = {
    'rebind.example.com': ['93.184.216.34', '127.0.0.1'],
    'private.example.com': ['10.0.0.5'],
    'meta.example.com': ['169.254.169.254'],
    'v6local.example.com': ['::1'],
    'ula.example.com': ['fd12:3456::1'],
    'mapped.example.com': ['::ffff:192.168.1.1'],
    'public.example.com': ['93.184.216.34'],
  }
  const answers = table[host]
  if (!answers) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' })
  return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
}

const HOSTILE = [
  'https://127.0.0.1/',
  'https://127.1/',
  'https://127.255.255.254/',
  'https://2130706433/',
  'https://0177.0.0.1/',
  'https://0x7f000001/',
  'https://0x7f.0.0.1/',
  'https://017700000001/',
  'https://localhost/',
  'https://LOCALHOST./',
  'https://a.localhost/',
  'https://0.0.0.0/',
  'https://0/',
  'https://10.0.0.1/',
  'https://10.255.255.255/',
  'https://172.16.0.1/',
  'https://172.31.255.255/',
  'https://192.168.0.1/',
  'https://192.168.255.255/',
  'https://169.254.169.254/latest/meta-data/',
  'https://169.254.0.1/',
  'https://100.64.0.1/',
  'https://100.127.255.255/',
  'https://224.0.0.1/',
  'https://239.255.255.250/',
  'https://255.255.255.255/',
  'https://240.0.0.1/',
  'https://198.18.0.1/',
  'https://[::1]/',
  'https://[::]/',
  'https://[0:0:0:0:0:0:0:1]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:7f00:1]/',
  'https://[::ffff:10.0.0.1]/',
  'https://[::ffff:169.254.169.254]/',
  'https://[fc00::1]/',
  'https://[fd00::1]/',
  'https://[fe80::1]/',
  'https://[febf::1]/',
  'https://[ff02::1]/',
  'https://[64:ff9b::7f00:1]/',
  'https://[2002:7f00:1::]/',
  'https://[::127.0.0.1]/',
  'https://metadata.google.internal/',
  'https://intranet/',
  'https://printer.local/',
  'https://rebind.example.com/',
  'https://private.example.com/',
  'https://meta.example.com/',
  'https://v6local.example.com/',
  'https://ula.example.com/',
  'https://mapped.example.com/',
  'http://public.example.com/',
  'ftp://public.example.com/',
  'file:///etc/passwd',
  'gopher://127.0.0.1/',
  'https://user:pass@public.example.com/',
  'not a url',
  'https://%31%32%37.0.0.1/',
]

test(`SSRF guard refuses ${HOSTILE.length} hostile URLs in production`, async () => {
  assert.ok(HOSTILE.length >= 50)
  for (const url of HOSTILE) {
    await assert.rejects(resolveTarget(url, prod, evilDns), TargetRefused, url)
  }
})

test('public targets pass and are pinned to the resolved address', async () => {
  const t = await resolveTarget('https://public.example.com/hook', prod, evilDns)
  assert.equal(t.address, '93.184.216.34')
  const lit = await resolveTarget('https://[2606:4700::1111]/x', prod, evilDns)
  assert.deepEqual([lit.address, lit.family], ['2606:4700::1111', 6])
})

test('loopback only in development, and then over http too; private ranges never', async () => {
  for (const url of [
    'http://127.0.0.1:8080/h',
    'http://localhost/h',
    'http://[::1]:9/h',
    'http://2130706433/',
  ]) {
    await resolveTarget(url, dev, evilDns)
    await assert.rejects(resolveTarget(url, prod, evilDns), TargetRefused)
  }
  for (const url of ['https://10.0.0.1/', 'https://169.254.169.254/', 'https://private.example.com/']) {
    await assert.rejects(resolveTarget(url, dev, evilDns), TargetRefused, url)
  }
  await assert.rejects(resolveTarget('http://public.example.com/', dev, evilDns), TargetRefused)
})
