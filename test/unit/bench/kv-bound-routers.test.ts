import { describe, expect, it } from 'vitest';
import type { BoundRequest } from '../../../src/bench/kv-bound-chains.js';
import { traceBlockChain } from '../../../src/bench/kv-bound-chains.js';
import {
  gpuExactRouter,
  leastLoadedRouter,
  prefixRouter,
  randomRouter,
  type BoundEngineView,
} from '../../../src/bench/kv-bound-routers.js';
import { BlockTextCache } from '../../../src/bench/routing-trace.js';
import type { PreciseBlockView } from '../../../src/kvcache/index.js';

const request = (index: number, hashIds: number[], inputLength: number): BoundRequest => {
  const entry = { timestampMs: 0, inputLength, outputLength: 4, hashIds };
  return {
    index,
    entry,
    traceS: 0,
    promptTokens: inputLength,
    outputTokens: 4,
    chain: traceBlockChain(entry, index, 16),
  };
};
const views = (loads: readonly [number, number][]): BoundEngineView[] =>
  loads.map(([inFlight, pendingPrefillTokens], i) => ({
    id: `engine-${i}`,
    node: `node-${Math.floor(i / 2)}`,
    inFlight,
    pendingPrefillTokens,
  }));

describe('leastLoadedRouter', () => {
  it.each([
    {
      loads: [
        [3, 900],
        [5, 100],
        [1, 500],
      ] as [number, number][],
      want: 1,
    },
    {
      loads: [
        [3, 100],
        [2, 100],
        [2, 100],
      ] as [number, number][],
      want: 1,
    },
    {
      loads: [
        [0, 0],
        [0, 0],
      ] as [number, number][],
      want: 0,
    },
  ])(
    'fewest queued prompt tokens, then fewest in flight, then the lowest index: $want',
    ({ loads, want }) => {
      expect(leastLoadedRouter(request(0, [1], 64), views(loads), 0)).toBe(want);
    },
  );
});

describe('prefixRouter (the gateway prefix-cache through pick)', () => {
  it('sends a prompt that extends an earlier one to the engine the earlier went to', () => {
    const route = prefixRouter(1, 131_072, new BlockTextCache(16));
    const idle = views([
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    const first = route(request(0, [1, 2, 3, 4], 2048), idle, 0);
    // The first is queued on its engine; the others are idle but hold nothing.
    const loads = idle.map((v, i) =>
      i === first ? { ...v, inFlight: 1, pendingPrefillTokens: 0 } : v,
    );
    expect(route(request(1, [1, 2, 3, 4, 5], 2560), loads, 1)).toBe(first);
  });

  it('does the same scoring a shortlist of 4 of 64 engines, as the gateway does', () => {
    const route = prefixRouter(1, 131_072, new BlockTextCache(16), 4);
    const idle = views(Array.from({ length: 64 }, (): [number, number] => [0, 0]));
    const first = route(request(0, [1, 2, 3, 4], 2048), idle, 0);
    const loads = idle.map((v, i) => (i === first ? { ...v, inFlight: 1 } : v));
    for (let r = 1; r <= 10; r++)
      expect(route(request(r, [1, 2, 3, 4, 5 + r], 2560), loads, r)).toBe(first);
  });
});

describe('gpuExactRouter (prefix-cache precise on a block view)', () => {
  it('picks the engine whose GPU holds the longest prefix at equal load', () => {
    const view: PreciseBlockView = {
      publishes: () => true,
      gpuPrefixHolders: (chain) => new Map([['engine-2', chain.length]]),
      l1PrefixHolders: () => new Map(),
    };
    const route = gpuExactRouter(1, 131_072, new BlockTextCache(16), view);
    const at = route(
      request(0, [1, 2], 1024),
      views([
        [1, 0],
        [1, 0],
        [1, 0],
        [1, 0],
      ]),
      0,
    );
    expect(at).toBe(2);
  });
});

describe('randomRouter', () => {
  it('is fixed by its seed and spreads over the engines', () => {
    const picks = (seed: number): number[] => {
      const route = randomRouter(seed, new BlockTextCache(16));
      const idle = views([
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ]);
      return Array.from({ length: 40 }, (_, i) => route(request(i, [1], 64), idle, 0));
    };
    expect(picks(7)).toEqual(picks(7));
    expect(new Set(picks(7)).size).toBe(4);
  });
});
