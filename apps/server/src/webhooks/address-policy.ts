import { BlockList, isIP } from 'node:net'

/** Why an address may not receive webhooks; `loopback` is allowed in development mode only. */
export type AddressClass = 'public' | 'loopback' | 'private'

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/** Non-public IPv4: this network, private, CGNAT, link-local (cloud metadata), test nets, multicast, reserved. */
const PRIVATE_V4: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
]
/** Non-public IPv6: unspecified and IPv4-compatible, discard, ULA, link- and site-local, multicast, docs, Teredo/ORCHID. */
const PRIVATE_V6: [string, number][] = [
  ['::', 96],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
]
const PRIVATE = new BlockList()
for (const [net, bits] of PRIVATE_V4) PRIVATE.addSubnet(net, bits, 'ipv4')
for (const [net, bits] of PRIVATE_V6) PRIVATE.addSubnet(net, bits, 'ipv6')

/** The eight 16-bit groups of an IPv6 address (any spelling node accepts, including a dotted tail). */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase().split('%')[0]!
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const h = head ? head.split(':') : []
  const t = tail !== undefined && tail !== '' ? tail.split(':') : []
  const zeros = tail === undefined ? [] : Array(8 - h.length - t.length).fill('0')
  return [...h, ...zeros, ...t].map((g) => Number.parseInt(g, 16))
}

const v4FromGroups = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`

/**
 * The IPv4 address an IPv6 address carries, if any: IPv4-mapped (::ffff:a.b.c.d), NAT64
 * (64:ff9b::/96) and 6to4 (2002::/16). Such addresses reach the embedded IPv4 host, so they are
 * judged as that host.
 */
function embeddedV4(ip: string): string | null {
  const g = ipv6Groups(ip)
  if (g.length !== 8 || g.some((x) => Number.isNaN(x))) return null
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0)
  if (zero(0, 5) && g[5] === 0xffff) return v4FromGroups(g[6]!, g[7]!)
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return v4FromGroups(g[6]!, g[7]!)
  if (g[0] === 0x2002) return v4FromGroups(g[1]!, g[2]!)
  return null
}

/** Classifies a literal IP address. Anything that is not a valid address counts as private. */
export function classifyAddress(ip: string): AddressClass {
  const family = isIP(ip)
  if (family === 0) return 'private'
  if (family === 6) {
    const v4 = embeddedV4(ip)
    if (v4) return classifyAddress(v4)
  }
  const type = family === 4 ? 'ipv4' : 'ipv6'
  if (LOOPBACK.check(ip, type)) return 'loopback'
  if (PRIVATE.check(ip, type)) return 'private'
  return 'public'
}

/** Whether a webhook may be sent to this address: public always, loopback in development only. */
export function addressAllowed(ip: string, env: 'development' | 'production'): boolean {
  const c = classifyAddress(ip)
  return c === 'public' || (c === 'loopback' && env === 'development')
}
