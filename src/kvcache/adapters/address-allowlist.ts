/**
 * Which peer addresses may connect to a node-local listener that has no authentication of its
 * own (LMCache's protocol has none): a list of CIDRs checked with node's BlockList.
 */
import { BlockList, isIP } from 'node:net';

/** Loopback, IPv4 and IPv6: the default when no pod CIDR is known. */
export const LOOPBACK_CIDRS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** A compiled allowlist; `allows` takes a socket's remoteAddress. */
export interface AddressAllowlist {
  allows(address: string | undefined): boolean;
}

/** Compiles `cidrs` (`a.b.c.d/n`, `x::y/n`, or a bare address); throws RangeError on a bad one. */
export function addressAllowlist(cidrs: readonly string[]): AddressAllowlist {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.trim().split('/');
    const family = isIP(address);
    if (family === 0) throw new RangeError(`not an IP address or CIDR: ${cidr}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const max = family === 4 ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new RangeError(`bad prefix length in ${cidr}`);
    list.addSubnet(address, prefix, type);
  }
  return {
    allows(address) {
      if (address === undefined) return false;
      // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
      const bare = mapped?.[1] ?? address;
      const family = isIP(bare);
      if (family === 0) return false;
      return list.check(bare, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}
