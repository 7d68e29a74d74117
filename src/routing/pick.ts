/**
 * Score fusion: each strategy's scores are brought onto [0, 1] with its polarity (1 = best) —
 * min–max over the candidates, or as they are for `absolute` strategies — weighted, summed; the highest total wins and ties are broken by the injected RNG.
 */
import { NoEndpointError } from './no-endpoint-error.js';
import type {
  EndpointLoad,
  Normalization,
  PickTrace,
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
  if (candidates.length === 0) {
    ctx.onPicked?.(traceOf(request, mix, [], undefined, undefined, false, undefined));
    throw new NoEndpointError(`no ready endpoint for model ${request.model}`);
  }
  let chosen: EndpointLoad;
  let totals: number[] | undefined;
  let tie = false;
  let prefixHit: boolean | undefined;
  if (candidates.length === 1) {
    chosen = candidates[0] as EndpointLoad;
  } else {
    const view: RoutingSnapshot = { endpoints: candidates, nowMs: snapshot.nowMs };
    totals = new Array<number>(candidates.length).fill(0);
    let scoredPrefix = false;
    const weightSum = mix.reduce((sum, m) => sum + m.weight, 0);
    for (const { algorithm, weight } of mix) {
      if (algorithm.name === 'prefix-cache') scoredPrefix = true;
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
    tie = bestIndexes.length > 1;
    // prefix-cache left each candidate's matched blocks in the request's memo while scoring.
    const memo = ctx.prefixIndex.memo;
    if (scoredPrefix && memo?.request === request)
      prefixHit = (memo.matched.get(chosen.id) ?? 0) > 0;
  }
  for (const { algorithm } of mix) algorithm.onRouted?.(chosen, request, ctx, snapshot);
  ctx.onPicked?.(traceOf(request, mix, candidates, totals, chosen.id, tie, prefixHit));
  return chosen;
}

/** The observer's view of one pick; built only when someone listens. */
function traceOf(
  request: RoutingRequest,
  mix: StrategyMix,
  candidates: readonly EndpointLoad[],
  totals: readonly number[] | undefined,
  chosen: string | undefined,
  tie: boolean,
  prefixHit: boolean | undefined,
): PickTrace {
  return {
    model: request.model,
    strategies: mix.map((m) => m.algorithm.name),
    chosen,
    candidates: candidates.map((c, i) => ({ id: c.id, score: totals?.[i] })),
    tie,
    prefixHit,
  };
}
