import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveFenceposts } from '../../../src/fleet/index.js';
import { aFleetSpec, clustersOf, FleetSimulation, rolling } from '../../helpers/fleet-builders.js';

const bound = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom('0%', '10%', '25%', '50%', '100%'),
);

describe('a rolling update, simulated step by step with clusters turning ready at random', () => {
  it('stays within replicas + maxSurge clusters and replicas − maxUnavailable available, and ends all new', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        bound,
        bound,
        fc.array(fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), {
          minLength: 1,
          maxLength: 30,
        }),
        (replicas, maxSurge, maxUnavailable, readiness) => {
          const spec = aFleetSpec(replicas, { strategy: rolling(maxSurge, maxUnavailable) });
          const posts = resolveFenceposts(maxSurge, maxUnavailable, replicas);
          const sim = new FleetSimulation(spec, 'new', clustersOf('o', 'old', replicas), [
            { hash: 'old', revision: 1 },
          ]);
          for (let step = 0; step < 200; step++) {
            sim.step();
            expect(sim.count()).toBeLessThanOrEqual(replicas + posts.maxSurge);
            expect(sim.ready()).toBeGreaterThanOrEqual(
              replicas - Math.min(posts.maxUnavailable, replicas),
            );
            if (
              sim.count('new') === replicas &&
              sim.count() === replicas &&
              sim.ready() === replicas
            )
              return;
            // Some of the not-ready clusters turn ready; every few steps all of them, so it can end.
            const pattern = readiness[step % readiness.length]!;
            const waiting = sim.clusters.filter((c) => !c.ready).map((c) => c.name);
            sim.nowMs += 1000;
            sim.makeReady(step % 4 === 3 ? undefined : waiting.filter((_, i) => pattern[i % 8]));
          }
          throw new Error('the rollout did not converge in 200 steps');
        },
      ),
      { numRuns: 300 },
    );
  });
});
