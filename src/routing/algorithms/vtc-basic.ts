import type { RoutingAlgorithm, RoutingRequest } from '../routing-algorithm.js';
import type { VtcConfig } from '../routing-config.js';

/** AIBrix's output estimate: 1.5 × the prompt, capped here by `max_tokens` when given. */
export function estimatedOutputTokens(request: RoutingRequest): number {
  const guess = Math.ceil(1.5 * request.promptTokens);
  return request.maxTokens === undefined ? guess : Math.min(guess, request.maxTokens);
}

/** The weighted tokens a routed request adds to its user's counter. */
export function weightedTokens(request: RoutingRequest, config: VtcConfig): number {
  return (
    request.promptTokens * config.inputTokenWeight +
    estimatedOutputTokens(request) * config.outputTokenWeight
  );
}

/**
 * Virtual-token-counter fairness (AIBrix `vtc-basic`, the formula of its code): with the user's
 * weighted tokens `u` over the sliding window and `bucket = clamp((min + max) / 2, 1000, 8000)`
 * over the active users' counts, `normalized = min(u / bucket, n − 1)`; endpoint i (candidates
 * ordered by id, so indexes are stable) scores `Wf·|i − normalized| + Wu·min(inFlight /
 * maxPodLoad, 1) + U[0, 0.1)`; lowest wins. Heavy users drift toward high-index endpoints and
 * light users keep the low ones. Load is the gateway's exact in-flight count (AIBrix reads the
 * engine's running count), so staleness does not apply. Without a `user` every endpoint scores
 * the same (neutral in a mix, random alone, as AIBrix). After routing, the user's counter grows
 * by `prompt × 1 + estimated output × 2` (state: `RoutingState.vtc`, bounded).
 */
export const vtcBasic: RoutingAlgorithm = {
  name: 'vtc-basic',
  polarity: 'lower-is-better',
  description: 'per-user virtual token counter fairness blended with load (needs the user header)',
  score: (snapshot, request, { rng, state }) => {
    const n = snapshot.endpoints.length;
    if (request.user === undefined) return new Array<number>(n).fill(0);
    const c = state.config.vtc;
    const [min, max] = state.vtc.range(snapshot.nowMs);
    const bucket = Math.min(c.maxBucketTokens, Math.max(c.minBucketTokens, (min + max) / 2));
    const normalized = Math.min(state.vtc.tokens(request.user, snapshot.nowMs) / bucket, n - 1);
    const order = snapshot.endpoints
      .map((e, i) => [e.id, i] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const scores = new Array<number>(n).fill(0);
    order.forEach(([, i], rank) => {
      const e = snapshot.endpoints[i];
      const util = Math.min((e?.inFlight ?? 0) / c.maxPodLoad, 1);
      scores[i] =
        c.fairnessWeight * Math.abs(rank - normalized) +
        c.utilizationWeight * util +
        rng.next() * 0.1;
    });
    return scores;
  },
  onRouted: (_chosen, request, { state }, snapshot) => {
    if (request.user === undefined || request.user === '') return;
    state.vtc.add(request.user, weightedTokens(request, state.config.vtc), snapshot.nowMs);
  },
};
