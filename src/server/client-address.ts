// The address a request comes from, for the per-address limits. Behind an
// Ingress or load balancer every request comes from the proxy, so for a peer
// in the trusted CIDRs (--api-trusted-proxies) the client is the right-most
// X-Forwarded-For entry that is not itself a trusted proxy (what nginx's
// real_ip_recursive does); no other peer's header is believed.
import { BlockList, isIP } from 'node:net';

/** Trusted proxy networks from CIDRs ("10.0.0.0/8", "fd00::/8", or a single address); an error names the bad one. */
export function trustedProxies(cidrs: readonly string[]): BlockList | undefined {
  if (cidrs.length === 0) return undefined;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix, extra] = cidr.trim().split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const n = prefix === undefined ? bits : Number(prefix);
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined && !/^\d+$/.test(prefix)) ||
      !(n >= 0 && n <= bits)
    )
      throw new Error(`"${cidr}" is not an IP address or CIDR such as 10.0.0.0/8 or fd00::/8`);
    list.addSubnet(address, n, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** The client's address: the peer, or the forwarded client when the peer is a trusted proxy. */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList | undefined,
): string {
  const remote = plain(peer ?? '') || 'unknown';
  if (!trusted || !isTrusted(trusted, remote) || forwardedFor === undefined) return remote;
  const hops = [forwardedFor]
    .flat()
    .join(',')
    .split(',')
    .map((h) => plain(h.trim()));
  let client = remote;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) break; // a malformed entry: trust nothing to its left
    client = hop;
    if (!isTrusted(trusted, hop)) break;
  }
  return client;
}

/** IPv4-mapped IPv6 (::ffff:10.0.0.1, as dual-stack sockets report) as plain IPv4. */
function plain(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}
