/**
 * The seam between the leader's global block index (fed by engines' KV events and agents' L1
 * reports) and routing's precise `prefix-cache` mode: what blocks an engine's GPU cache and a
 * node's L1 store hold, read only. Routing knows this interface, never the leader's wiring.
 */

/** Read-only view of who holds which blocks, keyed by infernode's chained block hashes. */
export interface PreciseBlockView {
  /** Whether the engine publishes KV events (the index has a record of its GPU cache). */
  publishes(engineId: string): boolean;
  /**
   * The engines whose GPU cache holds leading blocks of `chain`: engine id → how many (an
   * engine absent holds none). Found from the first block's holders, so its cost follows the
   * holders, not the engines asked about (a pick among 1,000 engines asks about every one).
   */
  gpuPrefixHolders(chain: readonly number[]): ReadonlyMap<string, number>;
  /**
   * Whether the node runs an L1 store the index knows of (its engines may load from it): the
   * gateway sends a KV load hint (kv-load-hint.ts) only to engines on such nodes. Views without
   * an L1 tier leave it out.
   */
  hasL1Store?(node: string): boolean;
  /** The nodes whose L1 store holds consecutive blocks of `chain` from `from`: node → how many. */
  l1PrefixHolders(chain: readonly number[], from?: number): ReadonlyMap<string, number>;
}
