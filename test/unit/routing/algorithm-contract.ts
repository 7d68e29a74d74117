/**
 * The contract every routing strategy passes (STYLE.md §5): it never makes pick() choose an
 * unready or unhealthy endpoint, always yields one choice, gives a typed error on an empty set,
 * is deterministic under a seed, and does not mutate its input.
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
