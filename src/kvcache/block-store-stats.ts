/**
 * The L1 block store's counters and gauges as plain numbers: the pure room builds no metrics
 * registry, so the agent reads `stats()` at scrape time and exports them (suggested names:
 * `infernode_kv_l1_<field>`, `_total` for the counters).
 */

/** Cumulative counters, monotonic for the store's lifetime. */
export interface BlockStoreCounters {
  /** Blocks stored by `put` (a put of a block already held is not counted here). */
  putsTotal: number;
  putBytesTotal: number;
  /** `put` of a key already held (kept, refreshed in the policy). */
  putsPresentTotal: number;
  /** `put` refused: larger than the largest slot class. */
  putsTooLargeTotal: number;
  /** `put` refused: every slot of its class is held by a reader and nothing is left to evict. */
  putsNoRoomTotal: number;
  hitsTotal: number;
  hitBytesTotal: number;
  missesTotal: number;
  evictionsTotal: number;
  evictedBytesTotal: number;
  deletesTotal: number;
}

/** Counters plus the gauges of the moment. */
export interface BlockStoreStats extends BlockStoreCounters {
  /** Blocks held (findable by get/exists). */
  readonly blocks: number;
  /** Sum of the held blocks' lengths. */
  readonly bytes: number;
  /** Bytes of the slots those blocks and still-pinned evicted blocks occupy. */
  readonly slotBytes: number;
  /** Slab memory allocated so far; never above `budgetBytes`. */
  readonly slabBytes: number;
  readonly budgetBytes: number;
  /** Views handed out by `get` and not yet released. */
  readonly pinnedViews: number;
}

/** All counters at zero. */
export function zeroCounters(): BlockStoreCounters {
  return {
    putsTotal: 0,
    putBytesTotal: 0,
    putsPresentTotal: 0,
    putsTooLargeTotal: 0,
    putsNoRoomTotal: 0,
    hitsTotal: 0,
    hitBytesTotal: 0,
    missesTotal: 0,
    evictionsTotal: 0,
    evictedBytesTotal: 0,
    deletesTotal: 0,
  };
}
