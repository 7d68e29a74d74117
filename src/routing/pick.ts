/**
 * Score fusion: each strategy's scores are brought onto [0, 1] with its polarity (1 = best) —
 * min–max over the candidates, or as they are for `absolute` strategies — weighted, summed; the highest total wins and ties are broken by the injected RNG.
 */
import { NoEndpointError } from './no-endpoint-error.js';
import type {
  EndpointLoad,
  Normalization,
  RoutingContext,
  RoutingRequest,
  RoutingSnapshot,
  StrategyMix,
} from './routing-algorithm.js';

function normalizeAbsolute(scores: readonly number[], lowerIsBetter: boolean): number[] {
  return scores.map((s) => {
    if (Number.isNaN(s)) return 0;
    const unit = Math.min(1, Math.max(0, s));
    return lowerIsBetter ? 1 - unit : unit;
  });
}

function normalize(
  scores: readonly number[],
  lowerIsBetter: boolean,
  mode: Normalization = 'min-max',
): number[] {
  if (mode === 'absolute') return normalizeAbsolute(scores, lowerIsBetter);
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (Number.isNaN(s)) continue;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  return scores.map((s) => {
    if (Number.isNaN(s)) return 0;
    if (max === min) return 1;
    const unit = (s - min) / (max - min);
    return lowerIsBetter ? 1 - unit : unit;
  });
}

/** The endpoints that may be chosen at all: ready and healthy. */
export function routableEndpoints(endpoints: readonly EndpointLoad[]): EndpointLoad[] {
  return endpoints.filter((e) => e.ready && e.healthy);
}

/**
 * Picks one endpoint for the request. Unready or unhealthy endpoints are never chosen; with none
 * left it throws NoEndpointError. Runs the strategies' post-route hooks on the winner.
 */
export function pick(
  snapshot: RoutingSnapshot,
  request: RoutingRequest,
  mix: StrategyMix,
  ctx: RoutingContext,
): EndpointLoad {
  const candidates = routableEndpoints(snapshot.endpoints);
  if (candidates.length === 0)
    throw new NoEndpointError(`no ready endpoint for model ${request.model}`);
  let chosen: EndpointLoad;
  if (candidates.length === 1) {
    chosen = candidates[0] as EndpointLoad;
  } else {
    const view: RoutingSnapshot = { endpoints: candidates, nowMs: snapshot.nowMs };
    const totals = new Array<number>(candidates.length).fill(0);
    const weightSum = mix.reduce((sum, m) => sum + m.weight, 0);
    for (const { algorithm, weight } of mix) {
      const normalized = normalize(
        algorithm.score(view, request, ctx),
        algorithm.polarity === 'lower-is-better',
        algorithm.normalization,
      );
      for (let i = 0; i < totals.length; i++)
        totals[i] = (totals[i] as number) + (normalized[i] ?? 0) * (weight / weightSum);
    }
    let best = -Infinity;
    let bestIndexes: number[] = [];
    const epsilon = 1e-9;
    totals.forEach((t, i) => {
      if (t > best + epsilon) {
        best = t;
        bestIndexes = [i];
      } else if (Math.abs(t - best) <= epsilon) bestIndexes.push(i);
    });
    const winner = bestIndexes[Math.floor(ctx.rng.next() * bestIndexes.length)] ?? 0;
    chosen = candidates[winner] as EndpointLoad;
  }
  for (const { algorithm } of mix) algorithm.onRouted?.(chosen, request, ctx, snapshot);
  return chosen;
}
