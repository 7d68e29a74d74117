import { randomInt } from '../../shared/index.js';
import type { RoutingAlgorithm } from '../routing-algorithm.js';

/**
 * Power of two choices: two distinct candidates drawn with the injected RNG; the one with fewer
 * requests in flight (the gateway's exact count) scores 1, the other 0.5, everyone else 0; equal
 * loads both score 1 and pick() breaks the tie. In-flight counts are gateway-local and never
 * stale, so staleness does not apply. (AIBrix keeps the counters in Redis; our in-flight counts
 * already come from the gateway itself.)
 */
export const powerOfTwo: RoutingAlgorithm = {
  name: 'power-of-two',
  polarity: 'higher-is-better',
  normalization: 'absolute',
  description: 'two random candidates, the one with fewer requests in flight wins',
  score: (snapshot, _request, { rng }) => {
    const n = snapshot.endpoints.length;
    const scores = new Array<number>(n).fill(0);
    if (n === 0) return scores;
    if (n === 1) return [1];
    const a = randomInt(rng, n);
    const b = (a + 1 + randomInt(rng, n - 1)) % n;
    const loadA = snapshot.endpoints[a]?.inFlight ?? 0;
    const loadB = snapshot.endpoints[b]?.inFlight ?? 0;
    scores[a] = loadA <= loadB ? 1 : 0.5;
    scores[b] = loadB <= loadA ? 1 : 0.5;
    return scores;
  },
};
