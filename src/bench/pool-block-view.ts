/**
 * Routing's precise block view (kvcache PreciseBlockView) read straight from simulated engines'
 * GPU block pools: what the leader's global block index would know if every KV event arrived at
 * once. `bench kv-bound`'s `gpu-exact` mode scores `prefix-cache` (precise) on it, so that mode
 * measures routing on exact GPU contents with the strategy's own load guard. No L1 tier: every
 * node's L1 run is 0.
 */
import type { PreciseBlockView } from '../kvcache/index.js';
import { leadingCachedBlocks, type BlockPool } from '../sim/index.js';

/** A PreciseBlockView over engines' pools, by engine id. */
export class PoolBlockView implements PreciseBlockView {
  readonly #pools: ReadonlyMap<string, BlockPool>;

  constructor(pools: ReadonlyMap<string, BlockPool>) {
    this.#pools = pools;
  }

  publishes(engineId: string): boolean {
    return this.#pools.has(engineId);
  }

  gpuPrefixHolders(chain: readonly number[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, pool] of this.#pools) {
      const blocks = leadingCachedBlocks(pool, chain, chain.length);
      if (blocks > 0) out.set(id, blocks);
    }
    return out;
  }

  l1PrefixHolders(_chain: readonly number[], _from?: number): Map<string, number> {
    return new Map();
  }
}
