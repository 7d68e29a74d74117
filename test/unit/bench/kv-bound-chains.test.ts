import { describe, expect, it } from 'vitest';
import { boundRequests, traceBlockChain } from '../../../src/bench/kv-bound-chains.js';
import type { TraceEntry } from '../../../src/bench/routing-trace.js';

const entry = (hashIds: number[], inputLength: number, timestampMs = 0): TraceEntry => ({
  timestampMs,
  inputLength,
  outputLength: 8,
  hashIds,
});

describe('traceBlockChain: one 512-token hash id is 32 chained 16-token blocks', () => {
  it('hashes every full block of the prompt', () => {
    expect(traceBlockChain(entry([1, 2], 1024), 0, 16)).toHaveLength(64);
    expect(traceBlockChain(entry([1, 2], 600), 0, 16)).toHaveLength(37);
  });

  it('gives equal blocks for an equal hash-id prefix and differs from the first block of a new id', () => {
    const a = traceBlockChain(entry([5, 6, 7], 1536), 0, 16);
    const b = traceBlockChain(entry([5, 6, 9], 1536), 1, 16);
    expect(b.slice(0, 64)).toEqual(a.slice(0, 64));
    expect(b[64]).not.toBe(a[64]);
    // Chained: a block equal in text but after a different parent still differs.
    const c = traceBlockChain(entry([4, 6, 7], 1536), 2, 16);
    expect(c[0]).not.toBe(a[0]);
    expect(c[40]).not.toBe(a[40]);
  });

  it('shares the full blocks of a truncated last hash id with a longer prompt over the same ids', () => {
    const short = traceBlockChain(entry([5, 6], 512 + 160), 0, 16); // 10 blocks of id 6
    const long = traceBlockChain(entry([5, 6, 8], 1536), 1, 16);
    expect(short).toHaveLength(42);
    expect(long.slice(0, 42)).toEqual(short);
  });

  it('pads a prompt longer than its hash ids with text unique to the request', () => {
    const a = traceBlockChain(entry([5], 1024), 0, 16);
    const b = traceBlockChain(entry([5], 1024), 1, 16);
    expect(b.slice(0, 32)).toEqual(a.slice(0, 32));
    expect(b[32]).not.toBe(a[32]);
  });
});

describe('boundRequests', () => {
  it('numbers the window and times arrivals from its first request, in seconds', () => {
    const reqs = boundRequests([entry([1], 64, 1000), entry([1], 64, 3500)], 16);
    expect(reqs.map((r) => [r.index, r.traceS, r.chain.length])).toEqual([
      [0, 0, 4],
      [1, 2.5, 4],
    ]);
  });
});
