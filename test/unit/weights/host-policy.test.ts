import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  checkHost,
  classifyAddress,
  parseIpAddress,
  type HostPolicy,
} from '../../../src/weights/index.js';

const STRICT: HostPolicy = { allowedHosts: ['*'] };
const LOCAL: HostPolicy = { allowedHosts: ['*'], allowLoopback: true, allowPrivate: true };

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700::1111', 'public'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    'example.com',
    '1.2.3',
    '1.2.3.256',
    '01.2.3.4',
    '1::2::3',
    'g::1',
    '1:2:3:4:5:6:7:8:9',
  ])('%s is not an IP address', (text) => expect(parseIpAddress(text)).toBeUndefined());

  it('parses every IPv4 address and its IPv4-mapped IPv6 form to the same class', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(parseIpAddress(ip)).toHaveLength(4);
        expect(classifyAddress(`::ffff:${ip}`)).toBe(classifyAddress(ip));
      }),
    );
  });

  it('parses every IPv6 address fast-check makes', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(parseIpAddress(ip)).toHaveLength(16);
      }),
    );
  });
});

describe('checkAddress', () => {
  it.each([
    '169.254.169.254',
    'fd00:ec2::254',
    '100.100.100.200',
    'fe80::1',
    '0.0.0.0',
    '224.0.0.1',
  ])('refuses %s even when loopback and private are allowed', (address) =>
    expect(checkAddress(LOCAL, address).allowed).toBe(false),
  );

  it.each(['127.0.0.1', '::1', '10.0.0.1', '192.168.1.1'])(
    'refuses %s unless allowed',
    (address) => {
      expect(checkAddress(STRICT, address).allowed).toBe(false);
      expect(checkAddress(LOCAL, address).allowed).toBe(true);
    },
  );

  it('allows public addresses and refuses what is not an address', () => {
    expect(checkAddress(STRICT, '93.184.216.34')).toEqual({ allowed: true });
    expect(checkAddress(STRICT, 'example.com').allowed).toBe(false);
  });

  it('never allows a metadata or link-local address, whatever the policy', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 65535 }),
        (loop, priv, n) => {
          const policy = { allowedHosts: ['*'], allowLoopback: loop, allowPrivate: priv };
          expect(checkAddress(policy, `169.254.${n >> 8}.${n & 255}`).allowed).toBe(false);
          expect(checkAddress(policy, `fe80::${n.toString(16)}`).allowed).toBe(false);
        },
      ),
    );
  });
});

describe('checkHost', () => {
  const policy: HostPolicy = {
    allowedHosts: ['huggingface.co', '*.hf.co', '127.0.0.1'],
    allowLoopback: true,
  };
  it.each([
    ['huggingface.co', true],
    ['HuggingFace.co.', true],
    ['cdn-lfs.hf.co', true],
    ['a.b.hf.co', true],
    ['hf.co', false],
    ['evilhf.co', false],
    ['huggingface.co.evil.com', false],
    ['127.0.0.1', true],
    ['169.254.169.254', false],
  ])('%s → %s', (host, allowed) => {
    expect(checkHost(policy, host).allowed).toBe(allowed);
  });

  it('checks an allowed IP literal as an address: * does not open the metadata service', () => {
    expect(checkHost({ allowedHosts: ['*'] }, '169.254.169.254').allowed).toBe(false);
    expect(checkHost({ allowedHosts: ['*'] }, '[fd00:ec2::254]').allowed).toBe(false);
  });

  it('allows nothing with an empty allow-list', () => {
    expect(checkHost({ allowedHosts: [] }, 'huggingface.co').allowed).toBe(false);
  });
});
