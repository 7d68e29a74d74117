import { describe, expect, it } from 'vitest';
import { tierStats } from '../../../src/bench/kv-trace-tiers.js';

const engine = (gpuHits: number, queried: number, extHits: number, fetched: number): string =>
  [
    `vllm:prefix_cache_queries_total{model_name="m",engine="0"} ${queried}`,
    `vllm:prefix_cache_hits_total{model_name="m",engine="0"} ${gpuHits}`,
    `vllm:external_prefix_cache_queries_total{model_name="m",engine="0"} ${queried - gpuHits}`,
    `vllm:external_prefix_cache_hits_total{model_name="m",engine="0"} ${extHits}`,
    `infernode_sim_kv_fetch_decisions_total{outcome="fetched"} ${fetched}`,
    `infernode_sim_kv_fetch_decisions_total{outcome="miss"} 1`,
    `infernode_sim_kv_fetched_bytes_total{kind="modeled"} ${extHits * 131072}`,
    `infernode_sim_kv_fetched_bytes_total{kind="real"} ${extHits * 128}`,
    `infernode_sim_kv_offloaded_bytes_total{kind="modeled"} 2097152`,
    `infernode_sim_kv_offloaded_bytes_total{kind="real"} 2048`,
    'infernode_sim_kv_offloaded_blocks_total 1',
    'infernode_sim_kv_offload_dropped_blocks_total{reason="queue_full"} 2',
    'infernode_sim_kv_offload_dropped_blocks_total{reason="put_failed"} 1',
    '',
  ].join('\n');

const agent = (l1Hits: number, l1Misses: number, l2Hits: number, l2Misses: number): string =>
  [
    `infernode_kv_hits_total{tier="l1"} ${l1Hits}`,
    `infernode_kv_hits_total{tier="l2"} ${l2Hits}`,
    `infernode_kv_misses_total{tier="l1"} ${l1Misses}`,
    `infernode_kv_misses_total{tier="l2"} ${l2Misses}`,
    'infernode_kv_store_evictions_total 5',
    'infernode_kv_ops_total{op="get",outcome="ok"} 99',
    '',
  ].join('\n');

describe('tierStats (bench kv trace: hits per tier)', () => {
  it('sums every engine and agent and derives the ratios per tier', () => {
    const t = tierStats(
      // The prefix-cache hit counters include the tokens the connector loaded (400 + 150).
      [engine(400, 1000, 300, 2), engine(150, 1000, 100, 1)],
      [agent(30, 10, 6, 4), agent(10, 10, 4, 6)],
    );
    expect(t.queriedTokens).toBe(2000);
    expect(t.gpuHitTokens).toBe(150);
    expect(t.gpuHitRatio).toBe(0.075);
    expect(t.externalHitTokens).toBe(400);
    expect(t.externalHitRatio).toBe(Math.round((400 / 1450) * 10_000) / 10_000);
    expect(t.totalHitRatio).toBe(0.275);
    expect(t.fetchDecisions).toEqual({ fetched: 3, miss: 2 });
    expect(t.l1HitBlocks).toBe(40);
    expect(t.l1MissBlocks).toBe(20);
    expect(t.l1HitRatio).toBe(Math.round((40 / 60) * 10_000) / 10_000);
    expect(t.l2FetchBlocks).toBe(10);
    expect(t.l2MissBlocks).toBe(10);
    expect(t.l2FetchRatio).toBe(0.5);
    expect(t.l1Evictions).toBe(10);
    expect(t.offloadedBlocks).toBe(2);
    expect(t.offloadDroppedBlocks).toBe(6);
    expect(t.fetchedBytes).toEqual({ modeled: 400 * 131072, real: 400 * 128 });
    expect(t.offloadedBytes).toEqual({ modeled: 2 * 2097152, real: 4096 });
  });

  it('gives NaN ratios, not zeros, where a tier saw nothing (no connector, no agents)', () => {
    const t = tierStats(
      ['vllm:prefix_cache_queries_total 10\nvllm:prefix_cache_hits_total 4\n'],
      [],
    );
    expect(t.gpuHitRatio).toBe(0.4);
    expect(t.externalHitRatio).toBeNaN();
    expect(t.l1HitRatio).toBeNaN();
    expect(t.l2FetchRatio).toBeNaN();
    expect(t.l1HitBlocks).toBe(0);
  });

  it('counts a token loaded by the connector once, though both hit counters include it', () => {
    // One request of 100 tokens: 64 loaded from L1 into the GPU cache, then admitted with all
    // 64 as prefix hits. Before the fix the total was (64 + 64) ÷ 100.
    const t = tierStats([engine(64, 100, 64, 1)], []);
    expect(t.totalHitRatio).toBe(0.64);
    expect(t.gpuHitTokens).toBe(0);
    expect(t.externalHitTokens).toBe(64);
    expect(t.totalHitRatio).toBeLessThanOrEqual(1);
  });

  it('sums the agents’ get-prefix histograms per tier', () => {
    const getPrefix = (tier: string, le1ms: number, le10ms: number, total: number): string[] => [
      `infernode_kv_get_prefix_seconds_bucket{le="0.001",tier="${tier}"} ${le1ms}`,
      `infernode_kv_get_prefix_seconds_bucket{le="0.01",tier="${tier}"} ${le10ms}`,
      `infernode_kv_get_prefix_seconds_bucket{le="+Inf",tier="${tier}"} ${total}`,
      `infernode_kv_get_prefix_seconds_sum{tier="${tier}"} ${total * 0.004}`,
      `infernode_kv_get_prefix_seconds_count{tier="${tier}"} ${total}`,
    ];
    const text = (l1: number[], l2: number[]): string =>
      [
        ...getPrefix('l1', ...(l1 as [number, number, number])),
        ...getPrefix('l2', ...(l2 as [number, number, number])),
        '',
      ].join('\n');
    const t = tierStats([], [text([8, 10, 10], [0, 1, 4]), text([2, 10, 10], [0, 0, 2])]);
    expect(t.agentGetPrefixMs.l1?.n).toBe(20);
    expect(t.agentGetPrefixMs.l1?.meanMs).toBeCloseTo(4, 6);
    expect(t.agentGetPrefixMs.l1?.p50Ms).toBeLessThanOrEqual(1);
    expect(t.agentGetPrefixMs.l2?.n).toBe(6);
    expect(t.agentGetPrefixMs.l2?.p50Ms).toBeGreaterThanOrEqual(10);
    expect(t.l1HitBlocks).toBe(0);
  });
});
