/**
 * Ranking candidate engines for a NEW placement of one adapter, by the resource's policy
 * (spec.schedulerName). Current placements are never re-ranked (adapter-plan.ts keeps them);
 * this only orders where the next replica goes. Ties spread replicas across nodes, then fall
 * to the engine id, so the same input always ranks the same way.
 */
import { otherAdapterCount } from './adapter-candidates.js';
import type { EngineSlot, PlacementPolicy } from './placement-contract.js';

/** What ranking needs besides the candidates. */
export interface RankContext {
  /** The adapter being placed (its own slot on an engine does not count as used). */
  readonly adapter: string;
  /** Nodes that already hold (or are about to hold) a replica of this adapter. */
  readonly nodesHolding: ReadonlySet<string>;
  /** A number in [0, 1) for the random policy. */
  readonly random: number;
}

/**
 * The policy a spec.schedulerName means: unset and `default` are leastAdapters, AIBrix's
 * leastLatency/leastThroughput are leastLoad (both rank by the engine's load); undefined for
 * an unknown name, which the controller reports in the status.
 */
export function placementPolicyFor(schedulerName: string | undefined): PlacementPolicy | undefined {
  switch (schedulerName) {
    case undefined:
    case '':
    case 'default':
    case 'leastAdapters':
      return 'leastAdapters';
    case 'binPack':
      return 'binPack';
    case 'leastLoad':
    case 'leastLatency':
    case 'leastThroughput':
      return 'leastLoad';
    case 'random':
      return 'random';
    default:
      return undefined;
  }
}

/** `candidates` best first for the next placement under `policy` (a new array). */
export function rankCandidates(
  candidates: readonly EngineSlot[],
  policy: PlacementPolicy,
  ctx: RankContext,
): EngineSlot[] {
  const byId = [...candidates].sort((a, b) => compareIds(a.id, b.id));
  const score = scorer(policy, byId, ctx);
  const spread = (e: EngineSlot): number => (ctx.nodesHolding.has(e.node) ? 1 : 0);
  // Random has no preference of its own, so spreading comes first there at no cost.
  const keys =
    policy === 'random'
      ? (e: EngineSlot): number[] => [spread(e), score(e)]
      : (e: EngineSlot): number[] => [score(e), spread(e)];
  return byId.sort((a, b) => compareKeys(keys(a), keys(b)) || compareIds(a.id, b.id));
}

/** Lower is better. */
function scorer(
  policy: PlacementPolicy,
  byId: readonly EngineSlot[],
  ctx: RankContext,
): (e: EngineSlot) => number {
  switch (policy) {
    case 'leastAdapters':
      return (e) => otherAdapterCount(e, ctx.adapter);
    case 'binPack':
      // Fewest free slots left first: fills one engine before opening the next.
      return (e) => e.maxLoras - otherAdapterCount(e, ctx.adapter);
    case 'leastLoad':
      // A load the agent did not report ranks last, not first.
      return (e) => (Number.isFinite(e.load) ? e.load : Number.MAX_SAFE_INTEGER);
    case 'random': {
      // A rotation of the id order by the drawn number: each engine equally likely first.
      const n = byId.length;
      const offset = Math.min(n - 1, Math.floor(clampUnit(ctx.random) * n));
      const position = new Map(byId.map((e, i) => [e.id, (i - offset + n) % n]));
      return (e) => position.get(e.id) ?? n;
    }
  }
}

function clampUnit(x: number): number {
  return Number.isFinite(x) ? Math.min(Math.max(x, 0), 1 - Number.EPSILON) : 0;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
