/**
 * `bench kv-bound`'s capacity-bounded oracle (`oracle-l1`): what a KV tier of a given size could
 * do, where `oracle-link`'s tier is unbounded. Every block an engine computes is written through
 * into one pooled store of `blocks` blocks under the L1 store's own eviction policy (S3-FIFO or
 * LRU, AIBrix's defaults), as the simulator's connector writes through to its node's L1; a load
 * reads the blocks it moves (their hotness). Pooled means perfect peer L2 with no copy kept
 * twice: the whole fleet's L1 behaves as one store, so this bounds `bench kv`'s (c) at the same
 * total L1 from above on capacity, with placement and lookup delays taken out.
 */
import {
  createEvictionPolicy,
  type EvictionPolicy,
  type EvictionPolicyName,
} from '../kvcache/index.js';

/** The oracles' record of which blocks a tier could supply (kv-bound-oracle.ts). */
export interface KnownBlocks {
  /**
   * Records the first `count` blocks of `chain` as computed (`node`: by an engine there; a
   * pooled tier ignores it, the per-node one of kv-bound-nodes.ts keeps them there).
   */
  add(chain: readonly number[], count?: number, node?: string): void;
  /** Whether an engine on `node` could load the block. */
  has(hash: number, node?: string): boolean;
  /** Whether the block is in `node`'s own store (a pooled tier: anywhere), no peer asked. */
  holds(hash: number, node?: string): boolean;
  /** Blocks [from, to) of `chain` were loaded from the tier into an engine on `node`. */
  read(chain: readonly number[], from: number, to: number, node?: string): void;
  /** True once a block was dropped that an unbounded tier would have kept. */
  readonly overflowed: boolean;
}

/** Size and policy of the pooled tier. */
export interface BoundedTierSpec {
  /** Capacity in blocks (tokens ÷ block size). */
  readonly blocks: number;
  readonly policy: EvictionPolicyName;
}

/** A pooled, capacity-bounded tier (see the file comment); every block weighs 1. */
export class BoundedKnownBlocks implements KnownBlocks {
  readonly #policy: EvictionPolicy;
  /** Blocks the policy evicted. */
  evicted = 0;

  constructor(spec: BoundedTierSpec) {
    this.#policy = createEvictionPolicy(spec.policy, {
      capacityBytes: spec.blocks,
      onEvict: () => this.evicted++,
    });
  }

  get overflowed(): boolean {
    return this.evicted > 0;
  }

  get size(): number {
    return this.#policy.size;
  }

  add(chain: readonly number[], count = chain.length): void {
    for (let i = 0; i < count && i < chain.length; i++) this.#policy.insert(chain[i] as number, 1);
  }

  has(hash: number): boolean {
    return this.#policy.has(hash);
  }

  holds(hash: number): boolean {
    return this.#policy.has(hash);
  }

  read(chain: readonly number[], from: number, to: number): void {
    for (let i = from; i < to && i < chain.length; i++) this.#policy.access(chain[i] as number);
  }
}
