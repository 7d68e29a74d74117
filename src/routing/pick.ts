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

/**
 * Adds one strategy's normalized scores, times `share` (its weight over the mix's), to `totals`:
 * what `normalize` then a weighted sum computes, in place, without an array per strategy.
 * Normalization: NaN (cannot score) → 0; `absolute` clamps to [0, 1]; `min-max` stretches the
 * non-NaN scores over [0, 1] (all equal → 1); then `lowerIsBetter` flips the unit.
 */
export function addNormalized(
  totals: Float64Array,
  scores: readonly number[],
  lowerIsBetter: boolean,
  mode: Normalization,
  share: number,
): void {
  const n = totals.length;
  if (mode === 'absolute') {
    for (let i = 0; i < n; i++) {
      const s = scores[i];
      if (s === undefined || Number.isNaN(s)) continue;
      const unit = Math.min(1, Math.max(0, s));
      totals[i] = (totals[i] as number) + (lowerIsBetter ? 1 - unit : unit) * share;
    }
    return;
  }
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (Number.isNaN(s)) continue;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const range = max - min;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (s === undefined || Number.isNaN(s)) continue;
    let normalized = 1;
    if (max !== min) {
      const unit = (s - min) / range;
      normalized = lowerIsBetter ? 1 - unit : unit;
    }
    totals[i] = (totals[i] as number) + normalized * share;
  }
}

/** The endpoints that may be chosen at all: ready and healthy. */
export function routableEndpoints(endpoints: readonly EndpointLoad[]): EndpointLoad[] {
  return endpoints.filter((e) => e.ready && e.healthy);
}

/** {@link routableEndpoints}, but the input itself when all are routable (the common case). */
function routable(endpoints: readonly EndpointLoad[]): readonly EndpointLoad[] {
  for (const e of endpoints) if (!e.ready || !e.healthy) return routableEndpoints(endpoints);
  return endpoints;
}

/** Scores below the best by at most this much tie with it. */
const TIE_EPSILON = 1e-9;

/** The indexes of the highest totals (within {@link TIE_EPSILON}), as a left-to-right scan finds them. */
export function bestIndexes(totals: Float64Array): number[] {
  let best = -Infinity;
  let indexes: number[] = [];
  for (let i = 0; i < totals.length; i++) {
    const t = totals[i] as number;
    if (t > best + TIE_EPSILON) {
      best = t;
      indexes = [i];
    } else if (Math.abs(t - best) <= TIE_EPSILON) indexes.push(i);
  }
  return indexes;
}

/**
 * Picks one endpoint for the request. Unready or unhealthy endpoints are never chosen; with none
 * left it throws NoEndpointError. Runs the strategies' post-route hooks on the winner. One pass
 * per strategy over the candidates and no per-candidate allocation, so a pick stays cheap when a
 * model has thousands of engines.
 */
export function pick(
  snapshot: RoutingSnapshot,
  request: RoutingRequest,
  mix: StrategyMix,
  ctx: RoutingContext,
): EndpointLoad {
  const candidates = routable(snapshot.endpoints);
  if (candidates.length === 0) {
    ctx.onPicked?.(new Trace(request, mix, [], undefined, undefined, false, undefined));
    throw new NoEndpointError(`no ready endpoint for model ${request.model}`);
  }
  let chosen: EndpointLoad;
  let totals: Float64Array | undefined;
  let tie = false;
  let prefixHit: boolean | undefined;
  if (candidates.length === 1) {
    chosen = candidates[0] as EndpointLoad;
  } else {
    const view: RoutingSnapshot = { endpoints: candidates, nowMs: snapshot.nowMs };
    totals = new Float64Array(candidates.length);
    let scoredPrefix = false;
    const weightSum = mix.reduce((sum, m) => sum + m.weight, 0);
    for (const { algorithm, weight } of mix) {
      if (algorithm.name === 'prefix-cache') scoredPrefix = true;
      addNormalized(
        totals,
        algorithm.score(view, request, ctx),
        algorithm.polarity === 'lower-is-better',
        algorithm.normalization ?? 'min-max',
        weight / weightSum,
      );
    }
    const best = bestIndexes(totals);
    const winner = best[Math.floor(ctx.rng.next() * best.length)] ?? 0;
    chosen = candidates[winner] as EndpointLoad;
    tie = best.length > 1;
    // prefix-cache left the candidates' matched blocks (absent: none) in the request's memo.
    const memo = ctx.prefixIndex.memo;
    if (scoredPrefix && memo?.request === request)
      prefixHit = (memo.matched.get(chosen.id) ?? 0) > 0;
  }
  for (const { algorithm } of mix) algorithm.onRouted?.(chosen, request, ctx, snapshot);
  if (ctx.onPicked !== undefined)
    ctx.onPicked(new Trace(request, mix, candidates, totals, chosen.id, tie, prefixHit));
  return chosen;
}

/** The mix's strategy names, one array per mix (a trace per request would otherwise map it). */
const namesByMix = new WeakMap<StrategyMix, readonly string[]>();

function strategyNames(mix: StrategyMix): readonly string[] {
  let names = namesByMix.get(mix);
  if (names === undefined) {
    names = Object.freeze(mix.map((m) => m.algorithm.name));
    namesByMix.set(mix, names);
  }
  return names;
}

/**
 * The observer's view of one pick; built only when someone listens. Its candidate list is built
 * when first read: observers keep traces and read few of them, and with thousands of candidates
 * building it on every pick would cost more than the pick. A class, not an object literal with a
 * getter and closures: one is made per request.
 */
class Trace implements PickTrace {
  readonly model: string;
  readonly strategies: readonly string[];
  readonly candidateCount: number;
  readonly chosen: string | undefined;
  readonly tie: boolean;
  readonly prefixHit: boolean | undefined;
  readonly #candidates: readonly EndpointLoad[];
  readonly #totals: Float64Array | undefined;
  #built: PickTrace['candidates'] | undefined;

  constructor(
    request: RoutingRequest,
    mix: StrategyMix,
    candidates: readonly EndpointLoad[],
    totals: Float64Array | undefined,
    chosen: string | undefined,
    tie: boolean,
    prefixHit: boolean | undefined,
  ) {
    this.model = request.model;
    this.chosen = chosen;
    this.tie = tie;
    this.prefixHit = prefixHit;
    this.strategies = strategyNames(mix);
    this.candidateCount = candidates.length;
    this.#candidates = candidates;
    this.#totals = totals;
  }

  get candidates(): PickTrace['candidates'] {
    return (this.#built ??= this.#candidates.map((c, i) => ({
      id: c.id,
      score: this.#totals?.[i],
    })));
  }

  topCandidates(k: number): PickTrace['candidates'] {
    return topIndexes(this.#totals, this.#candidates.length, k).map((i) => ({
      id: (this.#candidates[i] as EndpointLoad).id,
      score: this.#totals?.[i],
    }));
  }
}

/**
 * Indexes of the `k` highest totals, best first, ties in index order (insertion into a short
 * sorted list: O(n·k) with k small, nothing allocated per candidate). No totals (one candidate,
 * no scoring): the first `k` indexes.
 */
function topIndexes(totals: Float64Array | undefined, n: number, k: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < n; i++) {
    const score = totals?.[i] ?? 0;
    if (top.length === k && score <= (totals?.[top[k - 1] as number] ?? 0)) continue;
    let at = top.length;
    while (at > 0 && score > (totals?.[top[at - 1] as number] ?? 0)) at--;
    top.splice(at, 0, i);
    if (top.length > k) top.pop();
  }
  return top;
}
