/** The weight-prefetch variant's cold start and its pairing with the plain strategy. */
import { describe, expect, it } from 'vitest';
import { prefetchColdStartS, prefetchEffects } from '../../../src/bench/autoscaling-prefetch.js';
import type { StrategyTotals } from '../../../src/bench/autoscaling-report.js';

const GIB = 1024 ** 3;

describe('prefetchColdStartS', () => {
  it('drops the download when it fits in the pod start, keeping the node-cache load', () => {
    // 15 GiB: 3 s from S3 at 5 GiB/s (inside the 10 s pod start), 1.5 s from the node cache.
    const s = prefetchColdStartS({
      podStartS: 10,
      engineInitS: 34,
      weightBytes: 15 * GIB,
      remoteGibps: 5,
      nodeCacheGibps: 10,
    });
    expect(s).toBeCloseTo(45.5, 9);
  });

  it('adds the part of the download that outlasts the pod start', () => {
    // 150 GiB at 5 GiB/s: 30 s of download, 20 s past the pod start; 15 s from the cache.
    const s = prefetchColdStartS({
      podStartS: 10,
      engineInitS: 34,
      weightBytes: 150 * GIB,
      remoteGibps: 5,
      nodeCacheGibps: 10,
    });
    expect(s).toBeCloseTo(79, 9);
  });
});

const totals = (strategy: string, p99: number, slo: number, cost: number): StrategyTotals => ({
  strategy,
  oscillations: 0,
  replicaSeconds: cost,
  worstP99TtftMs: p99,
  p99TtftMs: [p99],
  sloAttainment: slo,
});

describe('prefetchEffects', () => {
  it('pairs each strategy with its +prefetch variant and skips those without one', () => {
    const effects = prefetchEffects([
      totals('HPA', 9000, 0.9, 100),
      totals('KPA', 8000, 0.95, 90),
      totals('KPA+prefetch', 7000, 0.96, 91),
    ]);
    expect(effects).toEqual([
      {
        strategy: 'KPA',
        worstP99TtftMs: { plain: 8000, prefetch: 7000 },
        sloAttainment: { plain: 0.95, prefetch: 0.96 },
        replicaSeconds: { plain: 90, prefetch: 91 },
      },
    ]);
  });
});
