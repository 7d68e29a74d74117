/**
 * Where a weight source may connect: an allow-list of host names, then a check of every address
 * a name resolves to, made at connect time so a name that re-resolves to the metadata service
 * (DNS rebinding) is still refused. Link-local, cloud metadata, unspecified, multicast and
 * broadcast addresses are refused always; loopback and private ranges only unless the policy
 * allows them (tests and the local cluster talk to 127.0.0.1). Pure: no DNS here, and no
 * node:net — the addresses are parsed by hand.
 */
import { AppError } from '../shared/index.js';

/** Which hosts and address classes a source may reach. */
export interface HostPolicy {
  /**
   * Host names (`huggingface.co`), wildcard patterns (`*.example.com`: any subdomain, not the
   * bare domain), IP literals (`127.0.0.1`, `::1`), or `*` for any host. Case-insensitive.
   * Empty: nothing is allowed.
   */
  readonly allowedHosts: readonly string[];
  /** Allow 127.0.0.0/8 and ::1. Default false. */
  readonly allowLoopback?: boolean;
  /** Allow 10/8, 172.16/12, 192.168/16, 100.64/10 and fc00::/7. Default false. */
  readonly allowPrivate?: boolean;
}

/** What kind of address an IP is, as far as the policy cares. */
export type AddressClass =
  | 'metadata'
  | 'link-local'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'loopback'
  | 'private'
  | 'public';

/** Cloud metadata services: AWS/GCP/Azure, AWS over IPv6, Alibaba. */
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254', '100.100.100.200'];

/** The address as 4 (IPv4) or 16 (IPv6) bytes, or undefined when it is not an IP literal. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIpv4(bare) ?? parseIpv6(bare);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const zoneless = text.split('%')[0] ?? '';
  if (!/^[0-9a-fA-F:.]+$/.test(zoneless) || zoneless.split('::').length > 2) return undefined;
  const [head = '', tail] = zoneless.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const words: number[] = [];
  const toWords = (parts: string[]): number[] | undefined => {
    const out: number[] = [];
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === undefined) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) out.push(parseInt(part, 16));
      else return undefined;
    }
    return out;
  };
  const first = toWords(groups(head));
  const last = tail === undefined ? [] : toWords(groups(tail));
  if (first === undefined || last === undefined) return undefined;
  const missing = 8 - first.length - last.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  words.push(...first, ...new Array<number>(tail === undefined ? 0 : missing).fill(0), ...last);
  const bytes = new Uint8Array(16);
  for (const [i, word] of words.entries()) {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  }
  return bytes;
}

function sameBytes(a: Uint8Array, b: Uint8Array | undefined): boolean {
  return a.length === b?.length && a.every((v, i) => v === b[i]);
}

function classifyIpv4(b: Uint8Array): AddressClass {
  const [a = 0, c = 0, d = 0, e = 0] = b;
  if (METADATA_ADDRESSES.some((m) => sameBytes(b, parseIpv4(m)))) return 'metadata';
  if (a === 0) return 'unspecified'; // 0.0.0.0/8 "this network"; connecting to it reaches the host
  if (a === 169 && c === 254) return 'link-local';
  if (a === 127) return 'loopback';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a === 255 && c === 255 && d === 255 && e === 255) return 'broadcast';
  if (a >= 240) return 'reserved'; // 240/4: never a real peer
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return 'private';
  if (a === 100 && c >= 64 && c <= 127) return 'private'; // carrier-grade NAT, 100.64/10
  return 'public';
}

/** Classifies an IPv4 or IPv6 address (IPv4-mapped IPv6 as its IPv4); undefined if not an IP. */
export function classifyAddress(text: string): AddressClass | undefined {
  const b = parseIpAddress(text);
  if (b === undefined) return undefined;
  if (b.length === 4) return classifyIpv4(b);
  if (METADATA_ADDRESSES.some((m) => sameBytes(b, parseIpAddress(m)))) return 'metadata';
  const isZeroUpTo = (n: number): boolean => b.subarray(0, n).every((v) => v === 0);
  // ::ffff:a.b.c.d reaches a.b.c.d; so does the deprecated ::a.b.c.d (IPv4-compatible).
  if (isZeroUpTo(10) && b[10] === 0xff && b[11] === 0xff) return classifyIpv4(b.subarray(12));
  if (isZeroUpTo(15)) return b[15] === 1 ? 'loopback' : 'unspecified';
  if (isZeroUpTo(12)) return classifyIpv4(b.subarray(12));
  const [first = 0, second = 0] = b;
  if (first === 0xfe && (second & 0xc0) === 0x80) return 'link-local';
  if (first === 0xff) return 'multicast';
  if ((first & 0xfe) === 0xfc) return 'private';
  return 'public';
}

/** The outcome of a policy check: allowed, or refused with a reason for the error message. */
export type HostDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/^\[|\]$/g, '');
  if (p === '*') return true;
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return p === host;
}

/** Whether the host name (or IP literal) of a URL is on the allow-list. Pure. */
export function checkHost(policy: HostPolicy, hostname: string): HostDecision {
  const host = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  if (policy.allowedHosts.some((pattern) => hostMatches(pattern, host))) {
    // An allowed IP literal is still checked as an address: `*` must not open 169.254.169.254.
    return parseIpAddress(host) === undefined ? { allowed: true } : checkAddress(policy, host);
  }
  return { allowed: false, reason: `host "${host}" is not on the allow-list` };
}

/** Whether a resolved address may be connected to. Pure. */
export function checkAddress(policy: HostPolicy, address: string): HostDecision {
  const kind = classifyAddress(address);
  if (kind === undefined) return { allowed: false, reason: `"${address}" is not an IP address` };
  if (kind === 'public') return { allowed: true };
  if (kind === 'loopback' && policy.allowLoopback === true) return { allowed: true };
  if (kind === 'private' && policy.allowPrivate === true) return { allowed: true };
  return { allowed: false, reason: `address ${address} is ${kind}` };
}

/** Turns a refusal into the error every source throws: WEIGHTS_HOST_NOT_ALLOWED (403). */
export function hostNotAllowed(url: string, decision: { readonly reason: string }): AppError {
  return new AppError(
    'WEIGHTS_HOST_NOT_ALLOWED',
    `refused to connect to ${url}: ${decision.reason}`,
    {
      httpStatus: 403,
    },
  );
}
