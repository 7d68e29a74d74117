import { describe, expect, it } from 'vitest';
import {
  GlobalBlockIndex,
  l1BlockWorth,
  promptBlockHashes,
  type PrefixCacheMode,
} from '../../../../src/kvcache/index.js';
import { defaultRoutingConfig, type RoutingConfig } from '../../../../src/routing/index.js';
import { prefixCache } from '../../../../src/routing/algorithms/prefix-cache.js';
import { preciseHitTokens } from '../../../../src/routing/algorithms/prefix-cache-precise.js';
import {
  aRoutingContext,
  aRoutingMemory,
  anEndpoint,
  fillerText,
  promptRequest,
} from '../../../helpers/routing-builders.js';
import { twoNodeBlockIndex } from '../../../helpers/block-index-fixture.js';

const configWith = (mode: PrefixCacheMode, extra: object = {}): RoutingConfig => {
  const base = defaultRoutingConfig();
  return { ...base, prefixCache: { ...base.prefixCache, mode, ...extra } };
};
const request = promptRequest(fillerText('doc', 4096)); // 1024 tokens = 64 blocks
const chain = promptBlockHashes(request.promptText, 16, 4096);
const endpoints = [
  anEndpoint('e1', { node: 'n1' }),
  anEndpoint('e2', { node: 'n2' }),
  anEndpoint('e3', { node: 'n3' }),
];

const blockIndex = (): GlobalBlockIndex => twoNodeBlockIndex(chain);

function scores(mode: PrefixCacheMode, extra: object = {}, approximateOn?: string): number[] {
  const config = configWith(mode, extra);
  const memory = aRoutingMemory(config);
  // The approximate index believes e3 got this whole prompt before.
  if (approximateOn !== undefined) {
    const ctx0 = aRoutingContext(1, memory);
    prefixCache.onRouted?.(anEndpoint(approximateOn), request, ctx0, { endpoints, nowMs: 1 });
  }
  const ctx = { ...aRoutingContext(1, memory), blockIndex: blockIndex() };
  return [...prefixCache.score({ endpoints, nowMs: 2 }, request, ctx)];
}

describe('prefix-cache precise mode', () => {
  it('L1 blocks count at the fetch-cost discount of perf.md §3.4', () => {
    const c = configWith('auto').prefixCache;
    // 128 KiB/token over 2 GB/s ≈ 65.5 µs vs 135 µs recompute.
    expect(l1BlockWorth(c)).toBeCloseTo(1 - 65.536 / 135, 6);
    expect(l1BlockWorth({ ...c, prefillMicrosPerToken: 36 })).toBe(0);
  });

  it('ranks by GPU prefix and fetchable L1 blocks, the fetch cost deciding between them', () => {
    // Fetch worth ≈ 0.51: n2's 40 L1 blocks ≈ 20 GPU blocks beat e1's 10.
    const [e1, e2, e3] = scores('auto');
    expect(e2).toBeGreaterThan(e1!);
    expect(e1).toBeGreaterThan(e3!);
    // On an H100 fetching does not pay: the L1 blocks are worth nothing and e1 wins.
    const [h1, h2] = scores('auto', { prefillMicrosPerToken: 36 });
    expect(h1).toBeGreaterThan(h2!);
  });

  it('auto: an engine that publishes no events keeps its approximate match', () => {
    const [e1, e2, e3] = scores('auto', {}, 'e3');
    expect(e3).toBeGreaterThan(e2!);
    expect(e3).toBeGreaterThan(e1!);
  });

  it('auto: a publishing engine this gateway just sent the prompt to counts as holding it until its events could say so', () => {
    // On an H100 (L1 worth nothing) e1's 10 GPU blocks beat e2's none, unless the prompt was
    // routed to e2 moments ago and is still prefilling there, its KV events not sent yet.
    const h100 = { prefillMicrosPerToken: 36 };
    const at = (extra: object, nowMs: number): number[] => {
      const config = configWith('auto', { ...h100, ...extra });
      const memory = aRoutingMemory(config);
      prefixCache.onRouted?.(anEndpoint('e2'), request, aRoutingContext(1, memory), {
        endpoints,
        nowMs: 1,
      });
      const ctx = { ...aRoutingContext(1, memory), blockIndex: blockIndex() };
      return [...prefixCache.score({ endpoints, nowMs }, request, ctx)];
    };
    const [r1, r2] = at({}, 2);
    expect(r2).toBeGreaterThan(r1!);
    // Past the window only the events count; with the window off, at once.
    const [l1, l2] = at({}, 1 + 10_001);
    expect(l1).toBeGreaterThan(l2!);
    const [o1, o2] = at({ speculativeMs: 0 }, 2);
    expect(o1).toBeGreaterThan(o2!);
    // Mode precise is events only.
    const config = configWith('precise', h100);
    const memory = aRoutingMemory(config);
    prefixCache.onRouted?.(anEndpoint('e2'), request, aRoutingContext(1, memory), {
      endpoints,
      nowMs: 1,
    });
    const ctx = { ...aRoutingContext(1, memory), blockIndex: blockIndex() };
    const [p1, p2] = prefixCache.score({ endpoints, nowMs: 2 }, request, ctx);
    expect(p1).toBeGreaterThan(p2!);
  });

  it('precise: engines without events count as holding nothing', () => {
    const [e1, , e3] = scores('precise', {}, 'e3');
    expect(e1).toBeGreaterThan(e3!);
  });

  it('approximate: the block index is not read', () => {
    const [e1, e2, e3] = scores('approximate', {}, 'e3');
    expect(e3).toBeGreaterThan(e1!);
    expect(e1).toBe(e2);
  });

  it('counts the L1 run right past an engine’s GPU prefix, though L1 lacks the first blocks', () => {
    // The hot first blocks stay in e1's GPU and never reach L1; what e1 evicted (blocks 10–49)
    // sits in n1's L1, which is what e1's connector would load. e3 on n3 holds nothing.
    const index = new GlobalBlockIndex({ maxEntries: 10_000, maxBlocksPerNode: 10_000 });
    index.apply('n1', {
      seq: 1,
      reset: true,
      deltas: [
        { tier: 'gpu', engineId: 'e1', stored: chain.slice(0, 10) },
        { tier: 'l1', stored: chain.slice(10, 50) },
      ],
    });
    index.apply('n3', {
      seq: 1,
      reset: true,
      deltas: [{ tier: 'gpu', engineId: 'e3', stored: [] }],
    });
    const c = configWith('precise').prefixCache;
    const two = [endpoints[0]!, endpoints[2]!];
    const hits = preciseHitTokens(two, chain, index, c, [true, true]);
    expect(hits?.[0]).toBeCloseTo((10 + 40 * l1BlockWorth(c)) * 16, 6);
    expect(hits?.[1]).toBe(0);
    // The index walks L1 from a given block, and from the chain's start finds nothing.
    expect(index.l1PrefixBlocks(chain, ['n1'])[0]).toBe(0);
    expect(index.l1PrefixBlocks(chain, ['n1'], 10)[0]).toBe(40);
    expect(index.l1PrefixBlocks(chain, ['n1', 'n3'], 12)[0]).toBe(38);
    // The same from the holders' side: only sources holding the first block asked about appear.
    expect(index.gpuPrefixHolders(chain)).toEqual(new Map([['e1', 10]]));
    expect(index.l1PrefixHolders(chain)).toEqual(new Map());
    expect(index.l1PrefixHolders(chain, 12)).toEqual(new Map([['n1', 38]]));
    expect(index.l1PrefixHolders(chain, chain.length)).toEqual(new Map());
  });
});
