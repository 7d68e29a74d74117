/**
 * The candidates one pick scores when a model has more engines than that (issue #18). Scoring
 * every engine costs the gateway ~1–2 µs per candidate per request (building its load view, the
 * index lookups, each strategy's pass): at a thousand engines per model that was the largest
 * share of the leader's busiest turns (`bench leader` at 1,000 × 8). Like Dynamo and llm-d's
 * samplers, a pick then scores a shortlist:
 * - every candidate a strategy prefers (its `preference`: prefix holders, engines with the
 *   adapter, the session's engine), up to a share of the limit each, the most preferred first;
 * - the rest of the limit filled with a uniform random sample of the other routable candidates,
 *   so the load-based strategies choose the least loaded of `limit` random engines (the power of
 *   d choices with d = limit, which at d ≥ 2 already comes close to the global least loaded).
 * Models with at most `limit` engines are scored whole, as before. Pure: randomness is injected.
 */
import { randomInt } from '../shared/index.js';
import type {
  CandidatePreference,
  RoutingContext,
  RoutingRequest,
  ShortlistCandidate,
  StrategyMix,
} from './routing-algorithm.js';

/** At least this share of the limit is left to the random sample (load balance). */
const SAMPLE_SHARE = 0.25;

/** The limit and which candidates may be chosen at all. */
export interface ShortlistOptions<T> {
  /** The most candidates scored; 0 or less: all. */
  readonly limit: number;
  /** Ready, healthy and otherwise choosable: only these are kept. */
  readonly routable: (candidate: T) => boolean;
}

/**
 * The candidates to score, in their input order: `candidates` itself when there are no more than
 * `limit`; otherwise at most `limit` routable ones (see the file comment).
 */
export function shortlist<T extends ShortlistCandidate>(
  candidates: readonly T[],
  request: RoutingRequest,
  mix: StrategyMix,
  ctx: RoutingContext,
  nowMs: number,
  options: ShortlistOptions<T>,
): readonly T[] {
  const { limit, routable } = options;
  const n = candidates.length;
  if (limit <= 0 || n <= limit) return candidates;
  const preferences: CandidatePreference[] = [];
  for (const { algorithm } of mix) {
    const preference = algorithm.preference?.(request, ctx, nowMs);
    if (preference !== undefined) preferences.push(preference);
  }
  const kept = new Uint8Array(n);
  const rest: number[] = [];
  const preferred = preferences.map(() => [] as { index: number; rank: number }[]);
  for (let i = 0; i < n; i++) {
    const candidate = candidates[i] as T;
    if (!routable(candidate)) continue;
    let wanted = false;
    for (let k = 0; k < preferences.length; k++) {
      const rank = (preferences[k] as CandidatePreference)(candidate);
      if (rank > 0) {
        (preferred[k] as { index: number; rank: number }[]).push({ index: i, rank });
        wanted = true;
      }
    }
    if (!wanted) rest.push(i);
  }
  let count = 0;
  if (preferences.length > 0) {
    const share = Math.floor((limit * (1 - SAMPLE_SHARE)) / preferences.length);
    for (const list of preferred) {
      for (const index of mostPreferred(list, share, ctx)) {
        if (kept[index] === 1) continue;
        kept[index] = 1;
        count++;
      }
      // The preferred ones past the share compete with the rest for the sample.
      for (const { index } of list) if (kept[index] === 0) rest.push(index);
    }
  }
  sampleInto(kept, rest, limit - count, ctx);
  const out: T[] = [];
  for (let i = 0; i < n; i++) if (kept[i] === 1) out.push(candidates[i] as T);
  return out;
}

/** Up to `share` indexes of `list`, highest rank first, ties in random order. */
function mostPreferred(
  list: { index: number; rank: number }[],
  share: number,
  ctx: RoutingContext,
): number[] {
  if (list.length <= share) return list.map((p) => p.index);
  shuffle(list, ctx);
  // Stable: equal ranks keep the shuffled order.
  list.sort((a, b) => b.rank - a.rank);
  return list.slice(0, share).map((p) => p.index);
}

/** Marks up to `count` distinct indexes of `pool` (which may repeat one) in `kept`, uniformly. */
function sampleInto(kept: Uint8Array, pool: number[], count: number, ctx: RoutingContext): void {
  let taken = 0;
  // Partial Fisher–Yates: each step swaps a random one of the untaken into place.
  for (let i = 0; i < pool.length && taken < count; i++) {
    const j = i + randomInt(ctx.rng, pool.length - i);
    const index = pool[j] as number;
    pool[j] = pool[i] as number;
    pool[i] = index;
    if (kept[index] === 1) continue;
    kept[index] = 1;
    taken++;
  }
}

function shuffle(items: unknown[], ctx: RoutingContext): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(ctx.rng, i + 1);
    const item = items[i];
    items[i] = items[j];
    items[j] = item;
  }
}
