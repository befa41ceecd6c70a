import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

/** Why an address may not receive webhooks; `loopback` is allowed in development mode only. */
export type AddressClass = 'public' | 'loopback' | 'private'

/**
 * IPv6 prefixes that carry an IPv4 address in their last 32 bits and reach that host: IPv4-mapped
 * (::ffff:0:0/96), IPv4-translated (::ffff:0:0:0/96, RFC 6145) and the NAT64 well-known prefix
 * (64:ff9b::/96, RFC 6052; not the local-use 64:ff9b:1::/48). Such an address is judged as the
 * host it carries, so an IPv6-only network's DNS64 answer for a public host still works.
 */
const CARRIES_V4 = new Set(['ipv4Mapped', 'rfc6145'])
const NAT64_WKP = ipaddr.parseCIDR('64:ff9b::/96')
/** The IPv6 global unicast space; everything outside it is unassigned or special. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3')

function embeddedV4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const b = v6.toByteArray()
  return new ipaddr.IPv4(b.slice(12, 16))
}

function classifyV4(v4: ipaddr.IPv4): AddressClass {
  const range = v4.range()
  if (range === 'loopback') return 'loopback'
  return range === 'unicast' ? 'public' : 'private'
}

function classifyV6(v6: ipaddr.IPv6): AddressClass {
  const range = v6.range()
  if (range === 'loopback') return 'loopback'
  if (CARRIES_V4.has(range) || v6.match(NAT64_WKP)) return classifyV4(embeddedV4(v6))
  return range === 'unicast' && v6.match(GLOBAL_UNICAST) ? 'public' : 'private'
}

/**
 * Classifies a literal IP address with ipaddr.js, whose range tables follow the IANA
 * special-purpose address registries: only plain unicast (IPv6: inside 2000::/3) is public;
 * every special-purpose range — private, shared, link-local, documentation, benchmarking,
 * AS112, AMT, ORCHID, 6to4, Teredo, segment routing, multicast, reserved — is not, whatever the
 * registry says of its global reachability. Anything that is not a standard address literal
 * (as `net.isIP` reads it) counts as private.
 */
export function classifyAddress(ip: string): AddressClass {
  const family = isIP(ip)
  if (family === 0) return 'private'
  try {
    const addr = ipaddr.parse(ip)
    return addr.kind() === 'ipv4' ? classifyV4(addr as ipaddr.IPv4) : classifyV6(addr as ipaddr.IPv6)
  } catch {
    return 'private'
  }
}

/** Whether a webhook may be sent to this address: public always, loopback in development only. */
export function addressAllowed(ip: string, env: 'development' | 'production'): boolean {
  const c = classifyAddress(ip)
  return c === 'public' || (c === 'loopback' && env === 'development')
}

/** Names that are never public: RFC 6761 localhost, cloud-internal and link-local-only names. */
function hostNameClass(host: string): 'loopback' | 'private' | null {
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback'
  if (!host.includes('.')) return 'private'
  if (/\.(internal|local|localdomain|intranet|lan|home\.arpa)$/.test(host)) return 'private'
  return null
}

/** What kind of host a URL names, judged without DNS: a literal address, or a well-known name. */
export function hostClass(url: URL): 'public' | 'loopback' | 'private' | null {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return isIP(host) ? classifyAddress(host) : hostNameClass(host)
}
