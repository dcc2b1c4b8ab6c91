// Where outbound calls may go (issue 10, item 4): one pure decision for every connection Varco
// opens — stations (at registration and again in the connector), verification, server-to-server
// feedback, and whatever is called later. Addresses are parsed by ipaddr.js, never by hand, in
// every spelling it reads (`127.1`, `0x7f000001`, `::ffff:7f00:1`, `0::ffff:127.0.0.1` …), so a
// spelling cannot carry a forbidden address past the check; the connection then goes to the
// canonical address the verdict names, never to the text that was typed.
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import { setBounded } from '../../kernel/bounded-map.ts';

export type DestinationRefusal =
  | 'invalid'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link_local'
  | 'unique_local'
  | 'site_local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'cgnat'
  | 'nat64'
  | 'six_to_four'
  | 'teredo'
  | 'ipv4_mapped'
  | 'ipv4_compatible'
  | 'discard'
  | 'own_address';

export type DestinationVerdict =
  /** `address` is canonical (`127.0.0.1`, `2001:4860::8888`): connect to it, not to the input. */
  Readonly<{ allowed: true; address: string; via: 'public' | 'allowlist' } | { allowed: false; address: string; refusal: DestinationRefusal }>;

export interface DestinationPolicy {
  judge(address: string): DestinationVerdict;
  /** Normalised CIDRs the operator allowed (VARCO_OUTBOUND_ALLOW_CIDRS). */
  readonly allowCidrs: readonly string[];
}

export interface DestinationPolicyOptions {
  /** Normalised `addr/len` (config.outboundAllowCidrs); addresses inside are allowed whatever their range. */
  allowCidrs: readonly string[];
  /** Varco's own addresses; default: every address of os.networkInterfaces(). */
  ownAddresses?: readonly string[];
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [cidr: string, refusal: DestinationRefusal];

// IANA special-purpose registries (RFC 6890 and successors). First match wins: specific first.
const V4_RANGES: readonly Range[] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'cgnat'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link_local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];
const V6_RANGES: readonly Range[] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::ffff:0:0/96', 'ipv4_mapped'],
  ['::ffff:0:0:0/96', 'ipv4_mapped'],
  ['::/96', 'ipv4_compatible'],
  ['64:ff9b::/96', 'nat64'],
  ['64:ff9b:1::/48', 'nat64'],
  ['100::/64', 'discard'],
  ['2001::/32', 'teredo'],
  ['2001:2::/48', 'benchmarking'],
  ['2001::/23', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique_local'],
  ['fe80::/10', 'link_local'],
  ['fec0::/10', 'site_local'],
  ['ff00::/8', 'multicast'],
];
/** Only global unicast is a destination; everything else in IPv6 is unassigned or special. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16');

const parsedRanges = (ranges: readonly Range[]): Array<[[Address, number], DestinationRefusal]> =>
  ranges.map(([cidr, refusal]) => [ipaddr.parseCIDR(cidr), refusal]);
const V4 = parsedRanges(V4_RANGES);
const V6 = parsedRanges(V6_RANGES);

const inRange = (address: Address, [network, bits]: [Address, number]): boolean => address.kind() === network.kind() && address.match(network, bits);

/** ipaddr.js reads every spelling; text it cannot read is no address. */
export function parseAddress(text: string): Address | undefined {
  const trimmed = text.trim();
  if (!ipaddr.isValid(trimmed)) return undefined;
  try {
    return ipaddr.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** The range an address belongs to when it is not a public destination; undefined for public ones. */
export function specialRange(address: Address): DestinationRefusal | undefined {
  if (address instanceof ipaddr.IPv6 && address.zoneId !== undefined) return 'link_local';
  for (const [range, refusal] of address.kind() === 'ipv4' ? V4 : V6) if (inRange(address, range)) return refusal;
  if (address.kind() === 'ipv6') {
    if (!inRange(address, GLOBAL_UNICAST)) return 'reserved';
    // 6to4 carries an IPv4 address in bits 16–47: a relay would deliver to it.
    if (inRange(address, SIX_TO_FOUR) && address instanceof ipaddr.IPv6) {
      const [, high = 0, low = 0] = address.parts;
      if (specialRange(new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])) !== undefined) return 'six_to_four';
    }
  }
  return undefined;
}

/** Canonical text of every address of this host's interfaces (zone ids dropped). */
export function ownInterfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .map((entry) => entry.address);
}

const canonical = (address: Address): string => (address instanceof ipaddr.IPv6 ? new ipaddr.IPv6(address.parts).toString() : address.toString());

export function createDestinationPolicy(options: DestinationPolicyOptions): DestinationPolicy {
  const allow = options.allowCidrs.flatMap((cidr) => {
    try {
      return [ipaddr.parseCIDR(cidr)];
    } catch {
      return [];
    }
  });
  const own = new Set(
    (options.ownAddresses ?? ownInterfaceAddresses()).flatMap((text) => {
      const parsed = parseAddress(text);
      return parsed === undefined ? [] : [canonical(parsed)];
    }),
  );
  const decide = (text: string): DestinationVerdict => {
    const address = parseAddress(text);
    if (address === undefined) return { allowed: false, address: text, refusal: 'invalid' };
    const shown = address.toString();
    // The operator's ranges win over everything else, Varco's own addresses included (local development).
    if (allow.some((range) => inRange(address, range))) return { allowed: true, address: shown, via: 'allowlist' };
    const refusal = specialRange(address);
    if (refusal !== undefined) return { allowed: false, address: shown, refusal };
    if (own.has(canonical(address))) return { allowed: false, address: shown, refusal: 'own_address' };
    return { allowed: true, address: shown, via: 'public' };
  };
  // A verdict depends only on the text and on what this policy was made with (its ranges and this
  // host's addresses, both fixed here), so it is kept: every delivery judges its resolved addresses
  // again, and parsing them cost ~2 KB and a few µs each time (issue 15). Frozen, since callers share it.
  const known = new Map<string, DestinationVerdict>();
  return {
    allowCidrs: [...options.allowCidrs],
    judge(text) {
      let verdict = known.get(text);
      if (verdict === undefined) {
        verdict = Object.freeze(decide(text));
        // Only texts an address can be (a form field can hold kilobytes): the memory kept stays small.
        if (text.length <= JUDGED_LENGTH) {
          // Insertion order is age order: the oldest verdict goes first, as in the host resolver's cache.
          setBounded(known, text, verdict, JUDGED_KEPT);
        }
      }
      return verdict;
    },
  };
}

/** Verdicts a policy keeps; past this many distinct texts the oldest is dropped (bounded memory whatever is judged). */
export const JUDGED_KEPT = 1024;
/** Longer texts are judged every time, not kept: the longest IPv6 spelling with a zone id is well under this. */
export const JUDGED_LENGTH = 64;

const REFUSAL_TEXT: Record<DestinationRefusal, string> = {
  invalid: 'not an IP address',
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  link_local: 'a link-local address',
  unique_local: 'a unique-local IPv6 address',
  site_local: 'a deprecated site-local IPv6 address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  cgnat: 'a carrier-grade NAT (shared) address',
  nat64: 'a NAT64 address',
  six_to_four: 'a 6to4 address embedding a non-public IPv4 address',
  teredo: 'a Teredo address',
  ipv4_mapped: 'an IPv4-mapped IPv6 address',
  ipv4_compatible: 'an IPv4-compatible IPv6 address',
  discard: 'a discard-only address',
  own_address: 'an address of Varco itself',
};

/**
 * One sentence for logs, failures and verification steps. With `host`, the address is the one the
 * host name resolved to: `localhost resolves to 127.0.0.1, which is a loopback address: …`.
 */
export function describeRefusal(verdict: Extract<DestinationVerdict, { allowed: false }>, host?: string): string {
  const shown = verdict.refusal === 'invalid' ? `"${verdict.address}"` : verdict.address;
  const subject = host === undefined ? `${shown} is` : `${host} resolves to ${shown}, which is`;
  if (verdict.refusal === 'invalid') return `${subject} ${REFUSAL_TEXT.invalid}`;
  return `${subject} ${REFUSAL_TEXT[verdict.refusal]}: Varco connects only to public addresses (an operator may allow ranges with VARCO_OUTBOUND_ALLOW_CIDRS)`;
}
