/**
 * The oracle's accounting on a hand-made trace with a known answer: A (2 hash ids, 1024 tokens)
 * finishes long before B (A's ids plus one, 1536 tokens) arrives. Where B lands and which oracle
 * runs decide where B's first 1024 tokens come from.
 */
import { describe, expect, it } from 'vitest';
import { traceBlockChain, type BoundRequest } from '../../../src/bench/kv-bound-chains.js';
import { replayBound, type BoundFleetSettings } from '../../../src/bench/kv-bound-replay.js';
import type { BoundRouter } from '../../../src/bench/kv-bound-routers.js';
import { HARDWARE_PROFILES } from '../../../src/sim/index.js';

const h100 = HARDWARE_PROFILES.get('llama-8b-h100')!;
const fleet: BoundFleetSettings = {
  engines: 2,
  profile: h100,
  numGpuBlocks: 1024,
  blockSizeTokens: 16,
  maxNumSeqs: 8,
  maxNumBatchedTokens: 8192,
  maxModelLen: 4096,
  maxWaitingRequests: 16,
};
const request = (
  index: number,
  traceS: number,
  hashIds: number[],
  tokens: number,
): BoundRequest => {
  const entry = { timestampMs: traceS * 1000, inputLength: tokens, outputLength: 4, hashIds };
  return {
    index,
    entry,
    traceS,
    promptTokens: tokens,
    outputTokens: 4,
    chain: traceBlockChain(entry, index, 16),
  };
};
const trace = [request(0, 0, [7, 8], 1024), request(1, 100, [7, 8, 9], 1536)];
/** A on engine 0; B on `bEngine`. */
const routeB =
  (bEngine: number): BoundRouter =>
  (r) =>
    r.index === 0 ? 0 : bEngine;

describe('replayBound accounting', () => {
  it('without an oracle, B on the other engine computes its whole prompt', () => {
    const run = replayBound(trace, 1, fleet, routeB(1));
    expect(run.completed).toBe(2);
    expect(run.promptTokens).toBe(2560);
    expect(run.computedTokens).toBe(2560);
    expect(run.gpuHitTokens).toBe(0);
    expect(run.loadedTokens).toBe(0);
  });

  it('without an oracle, B on A’s engine hits A’s 1024 tokens in GPU', () => {
    const run = replayBound(trace, 1, fleet, routeB(0));
    expect(run.computedTokens).toBe(1536);
    expect(run.gpuHitTokens).toBe(1024);
    expect(run.loadedTokens).toBe(0);
  });

  it('oracle-free hands B, on the other engine, the 1024 tokens A computed, at no cost', () => {
    const none = replayBound(trace, 1, fleet, routeB(1));
    const run = replayBound(trace, 1, fleet, routeB(1), { kind: 'free' });
    expect(run.computedTokens).toBe(1536);
    expect(run.loadedTokens).toBe(1024);
    expect(run.gpuHitTokens).toBe(0);
    expect(run.loads).toBe(0);
    expect(run.ttftS[1]).toBeLessThan(none.ttftS[1]!);
    // Same as hitting in GPU: nothing to pay for the load.
    expect(run.ttftS[1]).toBeCloseTo(replayBound(trace, 1, fleet, routeB(0)).ttftS[1]!, 9);
  });

  it('oracle-free loads nothing for B on A’s engine: the GPU already holds it', () => {
    const run = replayBound(trace, 1, fleet, routeB(0), { kind: 'free' });
    expect(run.gpuHitTokens).toBe(1024);
    expect(run.loadedTokens).toBe(0);
  });

  it('oracle-link pays the transfer of A’s blocks over the link, then B admits them', () => {
    const free = replayBound(trace, 1, fleet, routeB(1), { kind: 'free' });
    const run = replayBound(trace, 1, fleet, routeB(1), {
      kind: 'link',
      profile: h100,
      linkBytesPerS: 12.5e9,
    });
    // A's 64 blocks: 1024 tokens × 128 KiB over 12.5 GB/s, 10.7 ms against ~37 ms of prefill.
    expect(run.loads).toBe(1);
    expect(run.transferS).toBeCloseTo((1024 * 131_072) / 12.5e9, 12);
    expect(run.loadedTokens).toBe(1024);
    expect(run.computedTokens).toBe(1536);
    expect(run.ttftS[1]).toBeGreaterThan(free.ttftS[1]!);
  });

  it('oracle-link recomputes when the link is slower than the prefill', () => {
    const run = replayBound(trace, 1, fleet, routeB(1), {
      kind: 'link',
      profile: h100,
      linkBytesPerS: 1e9,
    });
    expect(run.loads).toBe(0);
    expect(run.loadedTokens).toBe(0);
    expect(run.computedTokens).toBe(2560);
  });

  it('oracle-l1 loads A’s blocks while its tier holds them all, and nothing once one is evicted', () => {
    const link = { kind: 'link', profile: h100, linkBytesPerS: 12.5e9 } as const;
    const holds = replayBound(trace, 1, fleet, routeB(1), {
      ...link,
      tier: { blocks: 96, policy: 'lru' }, // A's 64 blocks, then B's 96 once B is prefilled
    });
    expect(holds.loadedTokens).toBe(1024);
    expect(holds.computedOverflowed).toBe(false);
    // 63 blocks: A's first block is gone, so no prefix of B is in the tier.
    const short = replayBound(trace, 1, fleet, routeB(1), {
      ...link,
      tier: { blocks: 63, policy: 'lru' },
    });
    expect(short.loads).toBe(0);
    expect(short.loadedTokens).toBe(0);
    expect(short.computedOverflowed).toBe(true);
  });

  it('oracle-l1-nodes loads A’s blocks from A’s node into B’s, but only while A’s share holds them', () => {
    // 4 engines, 2 per node: A on node-0, B on node-1.
    const four = { ...fleet, engines: 4 };
    const link = { kind: 'link', profile: h100, linkBytesPerS: 12.5e9 } as const;
    const pooled = (blocks: number) =>
      replayBound(trace, 1, four, routeB(2), { ...link, tier: { blocks, policy: 'lru' } });
    const perNode = (blocks: number) =>
      replayBound(trace, 1, four, routeB(2), {
        ...link,
        tier: { blocks, policy: 'lru' },
        perNode: { keepAfterFetches: 2 },
      });
    expect(perNode(256).loadedTokens).toBe(1024); // from the peer, as the pooled tier would
    expect(pooled(256).loadedTokens).toBe(1024);
    // 126 blocks in all: pooled they hold A's 64; cut in two, node-0's 63 lose A's first block.
    expect(pooled(126).loadedTokens).toBe(1024);
    expect(perNode(126).loadedTokens).toBe(0);
  });

  it('refuses a request longer than max-model-len, as the simulator does', () => {
    const run = replayBound([request(0, 0, [1], 4096)], 1, fleet, routeB(0));
    expect(run.refused).toBe(1);
    expect(run.completed).toBe(0);
  });
});
