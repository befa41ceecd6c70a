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
  // Issue 16, item 7: IPv4-translated (::ffff:0:0/96, RFC 6145) reaches the embedded host.
  'https://[::ffff:0:127.0.0.1]/',
  'https://[::ffff:0:7f00:1]/',
  'https://[::ffff:0:10.0.0.1]/',
  'https://[::ffff:0:169.254.169.254]:8443/',
  'https://[0:0:0:0:ffff:0:a9fe:a9fe]/',
  // The rest of the IANA special-purpose registries.
  'https://[64:ff9b:1::a00:1]/',
  'https://[64:ff9b::a9fe:a9fe]/',
  'https://[::10.0.0.1]/',
  'https://[::8.8.8.8]/',
  'https://[100::1]/',
  'https://[100:0:0:1::1]/',
  'https://[2001::1]/',
  'https://[2001:2::1]/',
  'https://[2001:3::1]/',
  'https://[2001:4:112::1]/',
  'https://[2001:20::1]/',
  'https://[2001:db8::1]/',
  'https://[2002:5db8:d822::1]/',
  'https://[2620:4f:8000::1]/',
  'https://[3fff::1]/',
  'https://[5f00::1]/',
  'https://[4000::1]/',
  'https://[fec0::1]/',
  'https://192.0.0.170/',
  'https://192.0.0.9/',
  'https://192.31.196.1/',
  'https://192.52.193.1/',
  'https://192.175.48.1/',
  'https://192.88.99.1/',
  'https://198.19.255.255/',
  'https://203.0.113.7/',
  'https://198.51.100.7/',
  'https://192.0.2.7/',
]

test(`SSRF guard refuses ${HOSTILE.length} hostile URLs in production`, async () => {
  assert.ok(HOSTILE.length >= 50)
  const accepted: string[] = []
  for (const url of HOSTILE) {
    const refused = await resolveTarget(url, prod, evilDns).then(
      () => false,
      (err) => err instanceof TargetRefused,
    )
    if (!refused) accepted.push(url)
  }
  assert.deepEqual(accepted, [], `accepted ${accepted.length} of ${HOSTILE.length}`)
})

test('public targets pass and are pinned to the resolved address', async () => {
  const t = await resolveTarget('https://public.example.com/hook', prod, evilDns)
  assert.equal(t.address, '93.184.216.34')
  const lit = await resolveTarget('https://[2606:4700::1111]/x', prod, evilDns)
  assert.deepEqual([lit.address, lit.family], ['2606:4700::1111', 6])
  // Public hosts however they are spelled: IPv4-mapped and NAT64 (64:ff9b::/96) of a public address.
  for (const url of ['https://8.8.8.8/', 'https://[::ffff:8.8.8.8]/', 'https://[64:ff9b::808:808]/']) {
    await resolveTarget(url, prod, evilDns)
  }
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
