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
 *
 * Where every preference names its candidates and the caller can locate candidates by id and
 * node (the leader's catalog can), the shortlist asks only about those and draws the sample by
 * rejection, so its cost follows the holders and the limit, not the engines: at 1,000 engines a
 * pass over every one (routability, then each preference) was most of a pick.
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

/** Reaching candidates by what preferences name them by: positions in the candidate list. */
export interface CandidateLocator {
  indexOfId(id: string): number | undefined;
  indexesOfNode(node: string): readonly number[];
}

/** The limit and which candidates may be chosen at all. */
export interface ShortlistOptions<T> {
  /** The most candidates scored; 0 or less: all. */
  readonly limit: number;
  /** Ready, healthy and otherwise choosable: only these are kept. */
  readonly routable: (candidate: T) => boolean;
  /** Where candidates are by id and node; without it every candidate is looked at. */
  readonly locate?: CandidateLocator;
}

/** A candidate's position and how strongly a preference wants it. */
interface Ranked {
  index: number;
  rank: number;
}

/** Draws that may miss (an unroutable or kept candidate) per candidate wanted, before a pass. */
const DRAWS_PER_WANTED = 4;

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
  const { locate } = options;
  const sparse = locate !== undefined && preferences.every((p) => p.named !== undefined);
  const preferred = sparse
    ? preferences.map((p) => namedRanks(p, candidates, locate, routable))
    : everyRank(preferences, candidates, routable);
  const kept = new Set<number>();
  const share = Math.floor((limit * (1 - SAMPLE_SHARE)) / Math.max(1, preferences.length));
  // The preferred ones past the share compete with the rest for the sample.
  for (const list of preferred)
    for (const index of mostPreferred(list, share, ctx)) kept.add(index);
  const wanted = limit - kept.size;
  if (!sparse || !drawRoutable(candidates, kept, wanted, routable, ctx)) {
    const rest: number[] = [];
    for (let i = 0; i < n; i++) if (!kept.has(i) && routable(candidates[i] as T)) rest.push(i);
    sampleInto(kept, rest, limit - kept.size, ctx);
  }
  return [...kept].sort((a, b) => a - b).map((i) => candidates[i] as T);
}

/** Every routable candidate's rank under each preference, ranked above 0 only. */
function everyRank<T extends ShortlistCandidate>(
  preferences: readonly CandidatePreference[],
  candidates: readonly T[],
  routable: (candidate: T) => boolean,
): Ranked[][] {
  const preferred = preferences.map(() => [] as Ranked[]);
  if (preferences.length === 0) return preferred;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i] as T;
    if (!routable(candidate)) continue;
    for (let k = 0; k < preferences.length; k++) {
      const rank = (preferences[k] as CandidatePreference)(candidate);
      if (rank > 0) (preferred[k] as Ranked[]).push({ index: i, rank });
    }
  }
  return preferred;
}

/** The routable candidates `preference` names, with their rank above 0, each once. */
function namedRanks<T extends ShortlistCandidate>(
  preference: CandidatePreference,
  candidates: readonly T[],
  locate: CandidateLocator,
  routable: (candidate: T) => boolean,
): Ranked[] {
  const seen = new Set<number>();
  const out: Ranked[] = [];
  const consider = (index: number | undefined): void => {
    if (index === undefined || seen.has(index)) return;
    seen.add(index);
    const candidate = candidates[index];
    if (candidate === undefined || !routable(candidate)) return;
    const rank = preference(candidate);
    if (rank > 0) out.push({ index, rank });
  };
  const named = preference.named as NonNullable<CandidatePreference['named']>;
  for (const id of named.ids) consider(locate.indexOfId(id));
  for (const node of named.nodes) for (const index of locate.indexesOfNode(node)) consider(index);
  // Input order, as a pass over every candidate finds them: ties then shuffle alike.
  return out.sort((a, b) => a.index - b.index);
}

/**
 * Keeps `count` more routable candidates drawn uniformly at random (by rejection: a draw that
 * is kept already or not routable is drawn again); false when too many draws missed, which
 * leaves the rest to a pass over every candidate.
 */
function drawRoutable<T>(
  candidates: readonly T[],
  kept: Set<number>,
  count: number,
  routable: (candidate: T) => boolean,
  ctx: RoutingContext,
): boolean {
  let left = count;
  for (let draws = count * DRAWS_PER_WANTED; left > 0 && draws > 0; draws--) {
    const index = randomInt(ctx.rng, candidates.length);
    if (kept.has(index) || !routable(candidates[index] as T)) continue;
    kept.add(index);
    left--;
  }
  return left <= 0;
}

/** Up to `share` indexes of `list`, highest rank first, ties in random order. */
function mostPreferred(list: Ranked[], share: number, ctx: RoutingContext): number[] {
  if (list.length <= share) return list.map((p) => p.index);
  shuffle(list, ctx);
  // Stable: equal ranks keep the shuffled order.
  list.sort((a, b) => b.rank - a.rank);
  return list.slice(0, share).map((p) => p.index);
}

/** Adds up to `count` distinct indexes of `pool` to `kept`, uniformly. */
function sampleInto(kept: Set<number>, pool: number[], count: number, ctx: RoutingContext): void {
  let taken = 0;
  // Partial Fisher–Yates: each step swaps a random one of the untaken into place.
  for (let i = 0; i < pool.length && taken < count; i++) {
    const j = i + randomInt(ctx.rng, pool.length - i);
    const index = pool[j] as number;
    pool[j] = pool[i] as number;
    pool[i] = index;
    if (kept.has(index)) continue;
    kept.add(index);
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
