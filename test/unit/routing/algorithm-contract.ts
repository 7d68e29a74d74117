/**
 * The contract every routing strategy passes (STYLE.md §5): it never makes pick() choose an
 * unready or unhealthy endpoint, always yields one choice, gives a typed error on an empty set,
 * is deterministic under a seed, does not mutate its input, and neither floods nor starves an
 * engine without data (no readable load metrics: another dialect, /metrics off, 401).
 */
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../src/shared/index.js';
import {
  NoEndpointError,
  pick,
  type RoutingAlgorithm,
  type RoutingSnapshot,
} from '../../../src/routing/index.js';
import {
  aRequest,
  anEndpoint,
  aRoutingContext,
  aRoutingMemory,
  someMetrics,
} from '../../helpers/routing-builders.js';

function snapshot(): RoutingSnapshot {
  return {
    nowMs: 1_000,
    endpoints: [
      anEndpoint('n/a', { inFlight: 3 }),
      anEndpoint('n/b', { ready: false }),
      anEndpoint('n/c', { inFlight: 1 }),
      anEndpoint('n/d', { healthy: false }),
      anEndpoint('n/e', { inFlight: 2 }),
    ],
  };
}

/** Metrics of an engine the agent reaches but whose dialect exposes no load figure at all. */
const NO_LOAD_DATA = someMetrics({
  scrape: {
    numRequestsRunning: undefined,
    numRequestsWaiting: undefined,
    kvCacheUsageRatio: undefined,
    hasRequestCounters: false,
  },
});

/** Metrics of a moderately loaded engine that reports every figure. */
const SOME_LOAD = someMetrics({
  scrape: { numRequestsRunning: 4, numRequestsWaiting: 1, kvCacheUsageRatio: 0.5 },
  window: {
    windowMs: 10_000,
    promptTokensPerSecond: 200,
    generationTokensPerSecond: 100,
    requestsPerSecond: 2,
    meanTtftSeconds: 0.2,
    meanQueueSeconds: 0.1,
    meanPrefillSeconds: 0.2,
    meanDecodeSeconds: 1,
    meanPromptTokens: 100,
    meanGenerationTokens: 50,
  },
});

/** How often each endpoint id wins over 24 seeds. */
function wins(
  algorithm: RoutingAlgorithm,
  endpoints: RoutingSnapshot['endpoints'],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (let seed = 0; seed < 24; seed++) {
    const ctx = aRoutingContext(seed);
    const chosen = pick(
      { nowMs: 1_000, endpoints },
      aRequest({ requestId: `r${seed}` }),
      [{ algorithm, weight: 1 }],
      ctx,
    );
    counts.set(chosen.id, (counts.get(chosen.id) ?? 0) + 1);
  }
  return counts;
}

export function describeAlgorithmContract(algorithm: RoutingAlgorithm): void {
  describe(`${algorithm.name} contract`, () => {
    const mix = [{ algorithm, weight: 1 }];

    it('never picks an unready or unhealthy endpoint', () => {
      for (let seed = 0; seed < 50; seed++) {
        const ctx = aRoutingContext(seed);
        const chosen = pick(snapshot(), aRequest(), mix, ctx);
        expect(['n/a', 'n/c', 'n/e']).toContain(chosen.id);
      }
    });

    it('throws NoEndpointError on an empty candidate set', () => {
      const ctx = aRoutingContext(1);
      expect(() => pick({ nowMs: 0, endpoints: [] }, aRequest(), mix, ctx)).toThrow(
        NoEndpointError,
      );
      const none = { nowMs: 0, endpoints: [anEndpoint('n/x', { ready: false })] };
      expect(() => pick(none, aRequest(), mix, ctx)).toThrow(NoEndpointError);
    });

    it('is deterministic under a seed', () => {
      const run = (): string[] => {
        const ctx = aRoutingContext(7);
        return Array.from(
          { length: 20 },
          (_, i) => pick(snapshot(), aRequest({ requestId: `r${i}` }), mix, ctx).id,
        );
      };
      expect(run()).toEqual(run());
    });

    it('does not mutate its input', () => {
      const snap = snapshot();
      const frozen = structuredClone(snap);
      const request = aRequest();
      const requestCopy = structuredClone(request);
      algorithm.score(snap, request, aRoutingContext(3));
      expect(snap).toEqual(frozen);
      expect(request).toEqual(requestCopy);
    });

    it('does not flood an engine without data that is the busiest by the gateway count', () => {
      const counts = wins(algorithm, [
        anEndpoint('n/dark', { metrics: NO_LOAD_DATA, inFlight: 6 }),
        anEndpoint('n/y', { metrics: SOME_LOAD, inFlight: 1 }),
        anEndpoint('n/z', { metrics: SOME_LOAD, inFlight: 1 }),
      ]);
      expect(counts.get('n/dark') ?? 0).toBeLessThanOrEqual(12);
    });

    it('does not starve an engine without data that is the idlest by the gateway count', () => {
      for (const metrics of [NO_LOAD_DATA, undefined]) {
        const counts = wins(algorithm, [
          anEndpoint('n/dark', { metrics, inFlight: 0 }),
          anEndpoint('n/y', { metrics: SOME_LOAD, inFlight: 3 }),
          anEndpoint('n/z', { metrics: SOME_LOAD, inFlight: 3 }),
        ]);
        expect(counts.get('n/dark') ?? 0).toBeGreaterThan(0);
      }
    });

    it('still routes when no engine has data', () => {
      const ctx = aRoutingContext(2);
      const endpoints = [
        anEndpoint('n/a', { metrics: NO_LOAD_DATA, inFlight: 2 }),
        anEndpoint('n/b', { metrics: undefined, stale: true }),
      ];
      const chosen = pick({ nowMs: 1_000, endpoints }, aRequest(), mix, ctx);
      expect(['n/a', 'n/b']).toContain(chosen.id);
    });

    it('scores every candidate', () => {
      const snap = snapshot();
      const scores = algorithm.score(snap, aRequest(), {
        rng: new SeededRng(3),
        ...aRoutingMemory(),
      });
      expect(scores).toHaveLength(snap.endpoints.length);
    });
  });
}
