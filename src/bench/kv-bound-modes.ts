/**
 * `bench kv-bound`'s modes, each a router and (for the oracles) a load cost over the same
 * replay (kv-bound-replay.ts):
 *  - `random`: the gateway's `random`;
 *  - `prefix`: the gateway's `prefix-cache` on its own routing history ((a) of `bench kv`);
 *  - `gpu-exact`: `prefix-cache` precise, scored from the engines' exact GPU contents ((b));
 *  - `oracle-free`: any block some engine computed is loaded into any engine at no cost, routed to
 *    the least-loaded engine (the bound for any KV tier);
 *  - `oracle-link`: as `oracle-free`, but a load pays its modeled transfer over the connector's
 *    link and happens only when that beats recomputing (the ceiling of (c) with unbounded L1);
 *  - `oracle-l1`: as `oracle-link`, from a pooled tier of the fleet's L1 size under the store's
 *    eviction policy (kv-bound-l1.ts: the ceiling of (c) at its capacity);
 *  - `oracle-l1-nodes`: as `oracle-l1`, the tier cut into one store per node with peers as L2
 *    and the agent's HOT ingestion (kv-bound-nodes.ts: what placement costs (c)); not in the
 *    default list;
 *  - `precise-l1`, `precise-l1-nodes`: the tiers of `oracle-l1` and `oracle-l1-nodes`, routed as
 *    (c) routes: `prefix-cache` precise on the GPU contents plus what the tier holds for each
 *    engine's node, an L1 block priced as `bench kv` has the leader price it (tier-block-view.ts).
 *    (c) with its lookup delays taken out; not in the default list.
 */
import { BlockTextCache } from './routing-trace.js';
import type { BoundRequest } from './kv-bound-chains.js';
import { replayBound, type BoundFleetSettings } from './kv-bound-replay.js';
import type { BoundedTierSpec } from './kv-bound-l1.js';
import type { BoundRun } from './kv-bound-tally.js';
import {
  gpuExactRouter,
  l1PricingFor,
  leastLoadedRouter,
  prefixRouter,
  randomRouter,
} from './kv-bound-routers.js';
import { PoolBlockView } from './pool-block-view.js';
import { TierBlockView } from './tier-block-view.js';
import type { BlockPool } from '../sim/index.js';

/** The agent's default `kv.l2KeepAfterFetches`: a peer's block is kept once fetched twice. */
const KEEP_AFTER_FETCHES = 2;

/** The modes in report order; names are what `--modes` takes. */
export const BOUND_MODES = [
  'random',
  'prefix',
  'gpu-exact',
  'oracle-free',
  'oracle-link',
  'oracle-l1',
  'oracle-l1-nodes',
  'precise-l1',
  'precise-l1-nodes',
] as const;
/** One of {@link BOUND_MODES}. */
export type BoundMode = (typeof BOUND_MODES)[number];

/** The modes named in a comma list (every mode when empty); throws on an unknown name. */
export function selectBoundModes(list: string): BoundMode[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) return [...BOUND_MODES];
  return names.map((n) => {
    if (!(BOUND_MODES as readonly string[]).includes(n))
      throw new Error(`unknown kv-bound mode "${n}"; valid: ${BOUND_MODES.join(', ')}`);
    return n as BoundMode;
  });
}

/** What a mode's replay needs besides the fleet. */
export interface BoundModeSettings {
  readonly fleet: BoundFleetSettings;
  /** Modeled link of the connector, bytes/s (oracle-link). */
  readonly linkBytesPerS: number;
  /** Seed of the routers' tie-breaks and of `random`. */
  readonly seed: number;
  /** The routers score a shortlist of at most this many engines (0: all). */
  readonly maxScoredCandidates?: number;
  /** The pooled tier of `oracle-l1`. */
  readonly tier: BoundedTierSpec;
}

/**
 * A router whose block view is filled in once the replay has built its engines: `gpu-exact`
 * reads their pools, which exist only inside the replay.
 */
function lateViewRouter(
  seed: number,
  capacity: number,
  texts: BlockTextCache,
  limit: number,
): { pools: Map<string, BlockPool>; route: ReturnType<typeof gpuExactRouter> } {
  const pools = new Map<string, BlockPool>();
  const route = gpuExactRouter(seed, capacity, texts, new PoolBlockView(pools), limit);
  return { pools, route };
}

/** `precise-l1*`: (c)'s routing over the tier of `oracle-l1` (pooled) or `oracle-l1-nodes`. */
function runPreciseTiered(
  perNode: boolean,
  requests: readonly BoundRequest[],
  rateScale: number,
  s: BoundModeSettings,
  texts: BlockTextCache,
): BoundRun {
  const pools = new Map<string, BlockPool>();
  const view = new TierBlockView(pools);
  const capacity = s.fleet.numGpuBlocks * s.fleet.blockSizeTokens;
  const route = gpuExactRouter(
    s.seed,
    capacity,
    texts,
    view,
    s.maxScoredCandidates ?? 0,
    l1PricingFor(s.fleet.profile, s.linkBytesPerS),
  );
  const oracle = {
    kind: 'link' as const,
    profile: s.fleet.profile,
    linkBytesPerS: s.linkBytesPerS,
    tier: s.tier,
    ...(perNode ? { perNode: { keepAfterFetches: KEEP_AFTER_FETCHES } } : {}),
  };
  return replayBound(requests, rateScale, s.fleet, route, oracle, (id, pool, node, tier) => {
    pools.set(id, pool);
    view.attach(node, tier);
  });
}

/** Replays `requests` at `rateScale` in `mode`. */
export function runBoundMode(
  mode: BoundMode,
  requests: readonly BoundRequest[],
  rateScale: number,
  s: BoundModeSettings,
): BoundRun {
  const texts = new BlockTextCache(8192);
  const capacity = s.fleet.numGpuBlocks * s.fleet.blockSizeTokens;
  const limit = s.maxScoredCandidates ?? 0;
  switch (mode) {
    case 'random':
      return replayBound(requests, rateScale, s.fleet, randomRouter(s.seed, texts, limit));
    case 'prefix':
      return replayBound(
        requests,
        rateScale,
        s.fleet,
        prefixRouter(s.seed, capacity, texts, limit),
      );
    case 'gpu-exact': {
      const { pools, route } = lateViewRouter(s.seed, capacity, texts, limit);
      return replayBound(requests, rateScale, s.fleet, route, undefined, (id, pool) =>
        pools.set(id, pool),
      );
    }
    case 'oracle-free':
      return replayBound(requests, rateScale, s.fleet, leastLoadedRouter, { kind: 'free' });
    case 'oracle-link':
    case 'oracle-l1':
    case 'oracle-l1-nodes':
      return replayBound(requests, rateScale, s.fleet, leastLoadedRouter, {
        kind: 'link',
        profile: s.fleet.profile,
        linkBytesPerS: s.linkBytesPerS,
        ...(mode === 'oracle-link' ? {} : { tier: s.tier }),
        ...(mode === 'oracle-l1-nodes'
          ? { perNode: { keepAfterFetches: KEEP_AFTER_FETCHES } }
          : {}),
      });
    case 'precise-l1':
    case 'precise-l1-nodes':
      return runPreciseTiered(mode === 'precise-l1-nodes', requests, rateScale, s, texts);
  }
}
