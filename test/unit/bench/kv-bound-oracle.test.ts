import { describe, expect, it } from 'vitest';
import {
  ComputedBlocks,
  knownPrefixBlocks,
  maxPrefixBlocks,
  planOracleLoad,
} from '../../../src/bench/kv-bound-oracle.js';
import { EngineCore, HARDWARE_PROFILES, insertFetchedPrefix } from '../../../src/sim/index.js';

const h100 = HARDWARE_PROFILES.get('llama-8b-h100')!;
const core = (): EngineCore =>
  new EngineCore(
    {
      maxNumSeqs: 8,
      maxNumBatchedTokens: 8192,
      numGpuBlocks: 64,
      blockSizeTokens: 16,
      maxLoras: 1,
      maxWaitingRequests: 16,
    },
    h100,
  );

describe('ComputedBlocks', () => {
  it('keeps at most its bound and says when it ignored a hash', () => {
    const set = new ComputedBlocks(3);
    set.add([1, 2]);
    expect(set.overflowed).toBe(false);
    set.add([2, 3, 4, 5]);
    expect(set.size).toBe(3);
    expect(set.has(3)).toBe(true);
    expect(set.has(4)).toBe(false);
    expect(set.overflowed).toBe(true);
  });

  it('adds only the first `count` blocks', () => {
    const set = new ComputedBlocks(10);
    set.add([1, 2, 3], 2);
    expect([set.has(1), set.has(2), set.has(3)]).toEqual([true, true, false]);
  });
});

describe('knownPrefixBlocks', () => {
  it('walks the chain while each block is in the GPU cache or was computed somewhere', () => {
    const c = core();
    const spec = {
      promptLength: 64,
      blockHashes: [10, 11, 12, 13],
      maxTokens: 1,
      eosAfterTokens: Infinity,
      lora: null,
    };
    insertFetchedPrefix(c.pool, spec, 0, 2, 16, undefined); // 10, 11 in GPU
    const computed = new ComputedBlocks(10);
    computed.add([99, 12]);
    expect(knownPrefixBlocks(spec.blockHashes, 4, c.pool, computed)).toBe(3);
    expect(knownPrefixBlocks(spec.blockHashes, 2, c.pool, computed)).toBe(2);
    expect(knownPrefixBlocks(spec.blockHashes, 4, core().pool, computed)).toBe(0);
  });

  it('never loads the block of the last prompt token', () => {
    expect(maxPrefixBlocks(64, 4, 16)).toBe(3);
    expect(maxPrefixBlocks(65, 4, 16)).toBe(4);
  });
});

describe('planOracleLoad', () => {
  it('loads the known run past the GPU hit at no cost when free', () => {
    expect(planOracleLoad({ kind: 'free' }, 2, 10, 16)).toEqual({
      fromBlock: 2,
      toBlock: 10,
      transferS: 0,
    });
    expect(planOracleLoad({ kind: 'free' }, 10, 10, 16)).toBeNull();
  });

  it('prices a load over the link by its true KV bytes and loads only when that beats recompute', () => {
    const fast = planOracleLoad({ kind: 'link', profile: h100, linkBytesPerS: 12.5e9 }, 0, 64, 16);
    // 1024 tokens × 128 KiB over 12.5 GB/s.
    expect(fast?.transferS).toBeCloseTo((1024 * 131_072) / 12.5e9, 12);
    expect(fast?.toBlock).toBe(64);
    // 1 GB/s: 134 ms to move what H100 prefills in ~37 ms.
    expect(
      planOracleLoad({ kind: 'link', profile: h100, linkBytesPerS: 1e9 }, 0, 64, 16),
    ).toBeNull();
  });
});
