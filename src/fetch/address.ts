import { isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/**
 * Which addresses a fetch may connect to. Statements are published on the
 * public internet; a feed item or a redirect that points at this machine, the
 * local network or a cloud metadata service is refused (it could read
 * something private into corpus/fetched/ and out/), unless the configuration
 * says `fetch.allowPrivateAddresses: true` or lists the address in
 * `fetch.allowAddresses`.
 */

type Range = [prefix: string, bits: number, why: string];

const V4: Range[] = [
  ['0.0.0.0', 8, 'an unspecified address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'a loopback address (this machine)'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'a reserved address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];

const V6: Range[] = [
  ['::', 128, 'an unspecified address'],
  ['::1', 128, 'a loopback address (this machine)'],
  ['fc00::', 7, 'a private (unique local) address'],
  ['fe80::', 10, 'a link-local address'],
  ['fec0::', 10, 'a site-local address'],
  ['ff00::', 8, 'a multicast address'],
  ['2001:db8::', 32, 'a documentation address'],
  ['100::', 64, 'a discard address'],
];

function v4Number(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function v6Bytes(ip: string): number[] {
  let s = ip.toLowerCase().replace(/%.*$/, '');
  // A trailing dotted IPv4 part becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const n = v4Number(dotted[1]!);
    s = `${s.slice(0, -dotted[1]!.length)}${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail !== undefined ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [(n >> 8) & 0xff, n & 0xff];
  });
}

function inV6(bytes: number[], prefix: string, bits: number): boolean {
  const p = v6Bytes(prefix);
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (p[i]! & mask)) return false;
  }
  return true;
}

/** Why an address must not be fetched (loopback, private, link-local...), or undefined for a public one. */
export function privateAddressReason(address: string): string | undefined {
  const ip = address.replace(/^\[|\]$/g, '');
  const kind = isIP(ip);
  if (kind === 4) {
    const n = v4Number(ip);
    for (const [prefix, bits, why] of V4) {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if ((n & mask) >>> 0 === (v4Number(prefix) & mask) >>> 0) return why;
    }
    if (n === 0xffffffff) return 'a broadcast address';
    return undefined;
  }
  if (kind === 6) {
    const b = v6Bytes(ip);
    // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
    const embedded = inV6(b, '::ffff:0:0', 96) || inV6(b, '64:ff9b::', 96) || (inV6(b, '::', 96) && !inV6(b, '::', 127));
    if (embedded) return privateAddressReason(b.slice(12).join('.'));
    for (const [prefix, bits, why] of V6) if (inV6(b, prefix, bits)) return why;
    return undefined;
  }
  return undefined;
}

export interface AddressPolicy {
  allowPrivateAddresses: boolean;
  /** Addresses or ranges (CIDR) allowed even though they are private, e.g. an internal mirror. */
  allowAddresses: string[];
}

function listed(ip: string, allow: string[]): boolean {
  const addr = ip.replace(/^\[|\]$/g, '');
  for (const a of allow) {
    const [base, bitsText] = a.split('/');
    if (!base) continue;
    const kind = isIP(base);
    if (!bitsText) {
      if (base === addr || (kind === 6 && isIP(addr) === 6 && v6Bytes(base).join() === v6Bytes(addr).join())) return true;
      continue;
    }
    const bits = Number(bitsText);
    if (kind === 4 && isIP(addr) === 4) {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if ((v4Number(addr) & mask) >>> 0 === (v4Number(base) & mask) >>> 0) return true;
    } else if (kind === 6 && isIP(addr) === 6 && inV6(v6Bytes(addr), base, bits)) return true;
  }
  return false;
}

/** The reason an address is refused under the policy, or undefined. */
export function refusal(address: string, policy: AddressPolicy): string | undefined {
  if (policy.allowPrivateAddresses) return undefined;
  const why = privateAddressReason(address);
  if (!why || listed(address, policy.allowAddresses)) return undefined;
  return why;
}

export class PrivateAddressError extends Error {
  readonly code = 'EACCORDSPRIVATE';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly why: string,
  ) {
    super(`${host === address ? address : `${host} resolves to ${address}`}, ${why}: refused (set fetch.allowPrivateAddresses: true in pipeline.config.ts to fetch from private networks)`);
    this.name = 'PrivateAddressError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type Resolver = (hostname: string, options: { all: true; family?: number }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * A `lookup` for net.connect that checks every address a name resolves to
 * before the connection is made, so what is checked is what is connected to
 * (no second resolution in between for a rebinding DNS server to exploit).
 */
export function guardedLookup(policy: AddressPolicy, resolver: Resolver = systemResolver) {
  return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    const family = typeof options.family === 'number' ? options.family : options.family === 'IPv6' ? 6 : options.family === 'IPv4' ? 4 : undefined;
    resolver(hostname, { all: true, ...(family ? { family } : {}) }, (err, addresses) => {
      if (err) return callback(err, '');
      if (!addresses.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      for (const a of addresses) {
        const why = refusal(a.address, policy);
        if (why) return callback(new PrivateAddressError(hostname, a.address, why) as unknown as NodeJS.ErrnoException, '');
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
