import { describe, expect, it } from 'vitest';
import {
  KV_MESSAGE_LIMITS,
  decodeAgentMessage,
  decodeLeaderMessage,
} from '../../../src/protocol/index.js';

const store = {
  nativeUrl: 'ikv://10.0.0.7:7400',
  lmcacheUrl: 'lm://10.0.0.7:7401',
  budgetBytes: 1 << 30,
  usedBytes: 4096,
  blocks: 2,
  shared: true,
};
const kv = {
  v: 1,
  type: 'kv',
  seq: 1,
  reset: true,
  deltas: [
    { tier: 'gpu', engineId: 'e-1', cleared: true, removed: [1], stored: [2, 2 ** 52 - 1] },
    { tier: 'l1', stored: [3] },
  ],
  store,
};
const lookup = { v: 1, type: 'kv.lookup', id: 'l-1', hashes: [1, 2, 3] };
const result = {
  v: 1,
  type: 'kv.lookup.result',
  id: 'l-1',
  holders: [{ node: 'n2', nativeUrl: 'ikv://10.0.0.8:7400', blocks: 3 }],
};
const hashes = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('kv messages from the agent', () => {
  it.each([
    ['a reset batch with both tiers and a store report', kv],
    ['a batch with no deltas and no store', { v: 1, type: 'kv', seq: 9, deltas: [] }],
    [
      'a store report without the LMCache listener',
      { ...kv, store: { ...store, lmcacheUrl: undefined } },
    ],
    [
      'a store report with its lookups per tier',
      { ...kv, store: { ...store, lookups: { l1Hits: 5, l1Misses: 1, l2Hits: 0, l2Misses: 2 } } },
    ],
    [
      'exactly the hash bound, over several deltas',
      {
        ...kv,
        deltas: [
          { tier: 'l1', removed: hashes(KV_MESSAGE_LIMITS.hashesPerMessage - 10) },
          { tier: 'l1', stored: hashes(10) },
        ],
      },
    ],
    ['a lookup', lookup],
    ['a lookup at its bound', { ...lookup, hashes: hashes(KV_MESSAGE_LIMITS.hashesPerLookup) }],
  ])('accepts %s', (_name, message) => {
    expect(decodeAgentMessage(JSON.stringify(message))).toMatchObject({ ok: true });
  });

  const delta = (d: unknown) => ({ ...kv, deltas: [d] });
  it.each([
    [{ ...kv, seq: 0 }, /seq ≥ 1/],
    [{ ...kv, seq: 1.5 }, /seq ≥ 1/],
    [{ ...kv, reset: false }, /reset must be true/],
    [{ ...kv, deltas: {} }, /needs deltas/],
    [
      { ...kv, deltas: Array(KV_MESSAGE_LIMITS.deltasPerMessage + 1).fill({ tier: 'l1' }) },
      /too many deltas/,
    ],
    [delta('x'), /not an object/],
    [delta({ tier: 'disk' }), /tier must be gpu or l1/],
    [delta({ tier: 'gpu' }), /engineId is required/],
    [delta({ tier: 'l1', engineId: 'e-1' }), /engineId is required for tier gpu and absent/],
    [delta({ tier: 'l1', cleared: false }), /cleared must be true/],
    [delta({ tier: 'l1', stored: 5 }), /stored must be a list/],
    [delta({ tier: 'l1', removed: [-1] }), /non-negative safe integer/],
    [delta({ tier: 'l1', stored: [2 ** 53] }), /non-negative safe integer/],
    [delta({ tier: 'l1', stored: ['1'] }), /non-negative safe integer/],
    [
      {
        ...kv,
        deltas: [
          { tier: 'l1', stored: hashes(KV_MESSAGE_LIMITS.hashesPerMessage) },
          { tier: 'l1', removed: [1] },
        ],
      },
      /too many block hashes/,
    ],
    [{ ...kv, store: 'x' }, /store must be an object/],
    [{ ...kv, store: { ...store, nativeUrl: 'http://h:1' } }, /nativeUrl must be ikv/],
    [{ ...kv, store: { ...store, nativeUrl: 'lm://h:1' } }, /nativeUrl must be ikv/],
    [{ ...kv, store: { ...store, lmcacheUrl: 'ikv://h:1' } }, /lmcacheUrl must be lm/],
    [{ ...kv, store: { ...store, usedBytes: -1 } }, /as counts/],
    [{ ...kv, store: { ...store, shared: 'yes' } }, /shared must be a boolean/],
    [
      { ...kv, store: { ...store, lookups: { l1Hits: 1, l1Misses: 0, l2Hits: -1, l2Misses: 0 } } },
      /lookups needs l1Hits, l1Misses, l2Hits and l2Misses as counts/,
    ],
    [{ ...kv, store: { ...store, lookups: 3 } }, /lookups needs/],
    [{ ...lookup, id: '' }, /kv.lookup needs an id/],
    [{ ...lookup, id: 'x'.repeat(129) }, /kv.lookup needs an id/],
    [{ ...lookup, hashes: [] }, /at least one hash/],
    [{ ...lookup, hashes: 'x' }, /must be a list/],
    [{ ...lookup, hashes: hashes(KV_MESSAGE_LIMITS.hashesPerLookup + 1) }, /too many/],
    [{ ...lookup, hashes: [1.5] }, /non-negative safe integer/],
  ])('refuses %j', (message, reason) => {
    const decoded = decodeAgentMessage(JSON.stringify(message));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });
});

describe('kv messages from the leader', () => {
  it.each([
    ['kv.resync', { v: 1, type: 'kv.resync', reason: 'seq gap' }],
    ['a lookup result', result],
    ['an empty lookup result', { ...result, holders: [] }],
  ])('accepts %s', (_name, message) => {
    expect(decodeLeaderMessage(JSON.stringify(message))).toMatchObject({ ok: true });
  });

  const holder = result.holders[0]!;
  it.each([
    [{ v: 1, type: 'kv.resync' }, /bad leader message/],
    [{ ...result, id: '' }, /needs an id/],
    [{ ...result, holders: 'x' }, /bounded holders list/],
    [
      { ...result, holders: Array(KV_MESSAGE_LIMITS.holdersPerLookup + 1).fill(holder) },
      /bounded holders list/,
    ],
    [{ ...result, holders: [{ ...holder, node: '' }] }, /needs a node/],
    [{ ...result, holders: [{ ...holder, nativeUrl: 'ikv://h' }] }, /nativeUrl malformed/],
    [{ ...result, holders: [{ ...holder, blocks: 0 }] }, /blocks must be ≥ 1/],
  ])('refuses %j', (message, reason) => {
    const decoded = decodeLeaderMessage(JSON.stringify(message));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });
});
