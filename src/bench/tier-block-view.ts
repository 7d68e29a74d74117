/**
 * Routing's precise block view for `bench kv-bound`'s `precise-l1*` modes: the engines' exact GPU
 * contents (as `gpu-exact` reads them) plus the oracle's L1 tier, so `prefix-cache` (precise)
 * scores each engine's fetchable run as it does on the leader's global index. The run is what the
 * tier holds for the engine's own node (`holds`): the leader's index credits a node's own L1 only,
 * and an engine on another node loads it as L2 without being scored for it.
 */
import type { KnownBlocks } from './kv-bound-l1.js';
import { PoolBlockView } from './pool-block-view.js';

/** A PreciseBlockView over engines' pools and the tier the replay hands it. */
export class TierBlockView extends PoolBlockView {
  readonly #nodes = new Set<string>();
  #tier: KnownBlocks | undefined;

  /** Tells the view the replay's tier and one more node that engines sit on. */
  attach(node: string, tier: KnownBlocks): void {
    this.#nodes.add(node);
    this.#tier = tier;
  }

  override l1PrefixHolders(chain: readonly number[], from = 0): Map<string, number> {
    const out = new Map<string, number>();
    const tier = this.#tier;
    if (tier === undefined) return out;
    for (const node of this.#nodes) {
      let k = from;
      while (k < chain.length && tier.holds(chain[k] as number, node)) k++;
      if (k > from) out.set(node, k - from);
    }
    return out;
  }
}
