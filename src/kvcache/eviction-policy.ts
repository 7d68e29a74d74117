/**
 * The seam between the L1 block store and its eviction policies (AIBrix's
 * `l1/eviction_policy/`: S3-FIFO by default, LRU). A policy orders keys and their byte weights
 * only; the store owns the bytes. Both policies are byte-weighted as AIBrix's are
 * (`capacity_nbytes`, each entry weighs `len(MemoryRegion)`): the store weighs a block by the
 * slab slot it occupies, which is what it costs in memory.
 *
 * Call order, as AIBrix's L1Cache drives its policy: when the store needs memory for a new
 * block it calls `evictOne()` until its allocator has room, and only then `insert()`s the key
 * (so a ghost entry evicted by that room-making is not a ghost hit any more, exactly as there).
 * `insert` also evicts while the policy is over its capacity, so a policy used alone never holds
 * more than `capacityBytes`.
 */
/** A block key: the engines' 52-bit chained block hash (block-hash.ts), a plain JS number. */
export type BlockKey = number;

/** The eviction policies, by config name; the first is the default (AIBrix's). */
export const EVICTION_POLICY_NAMES = ['s3fifo', 'lru'] as const;

/** An eviction policy's config name. */
export type EvictionPolicyName = (typeof EVICTION_POLICY_NAMES)[number];

/** What a policy reports to its owner. */
export interface EvictionCallbacks {
  /** A resident key left by eviction (not by `remove`), with the bytes it weighed. */
  readonly onEvict?: (key: BlockKey, bytes: number) => void;
  /**
   * A key became hot (AIBrix's `on_hot_access`, the trigger of its default HOT L2 ingestion):
   * LRU on the first access after insert; S3-FIFO on the access that reaches the promotion
   * threshold while in the small queue, and on a ghost hit.
   */
  readonly onHot?: (key: BlockKey, bytes: number) => void;
}

/** A byte-budgeted eviction order over block keys. */
export interface EvictionPolicy {
  readonly name: EvictionPolicyName;
  readonly capacityBytes: number;
  /** Bytes of the resident keys (ghost entries weigh nothing here). */
  readonly usedBytes: number;
  /** Resident keys. */
  readonly size: number;
  /** Whether `key` is resident; no side effect. */
  has(key: BlockKey): boolean;
  /** Records a read of `key`; false (and no change) when it is not resident. */
  access(key: BlockKey): boolean;
  /**
   * Adds `key` weighing `bytes`, or refreshes it when resident (AIBrix's put on an existing
   * key), then evicts while over capacity. A key heavier than the whole capacity is refused
   * (false, nothing changed).
   */
  insert(key: BlockKey, bytes: number): boolean;
  /** Drops `key` (and any ghost of it) without `onEvict`; true when it was resident. */
  remove(key: BlockKey): boolean;
  /** Evicts by the policy's order until at least one resident key has left; false when empty. */
  evictOne(): boolean;
}

/** S3-FIFO's knobs, AIBrix's env defaults. */
export interface S3FifoOptions {
  /** Small FIFO share of the capacity, in (0, 1); AIBrix `..._S3FIFO_SMALL_FIFO_CAPACITY_RATIO` = 0.3. */
  readonly smallRatio?: number;
  /**
   * Accesses a key needs while in the small FIFO to be promoted to main when it reaches the
   * small FIFO's tail, 1..3; AIBrix `..._S3FIFO_SMALL_TO_MAIN_PROMO_THRESHOLD` = 1 (read once).
   */
  readonly promotionThreshold?: number;
}

/** Options shared by every policy, plus the S3-FIFO knobs. */
export interface EvictionPolicyOptions extends EvictionCallbacks {
  readonly capacityBytes: number;
  readonly s3fifo?: S3FifoOptions;
}
