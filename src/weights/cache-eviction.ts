/**
 * Which models leave the node cache so a new pull fits its disk budget. Whole models only,
 * least recently used first, never one in use (an engine reading it, a read-through reader, a
 * pull writing it). Pure: the node cache passes what it knows and applies the answer.
 */

/** One thing that takes room under the budget: a published model, a stray staging dir, a pull's reservation. */
export interface CacheEntry {
  readonly key: string;
  readonly bytes: number;
  /** When it was last pulled or read, ms since the epoch; the oldest goes first. */
  readonly lastUsedMs: number;
  /** Held by an engine, a reader or a pull in progress: never evicted. */
  readonly inUse: boolean;
}

/** The choice: evict these keys (possibly none), or the pull cannot fit. */
export type EvictionChoice =
  | { readonly kind: 'fits'; readonly evict: readonly string[]; readonly freedBytes: number }
  | {
      readonly kind: 'full';
      /** Bytes free once every idle entry is gone; less than `neededBytes`. */
      readonly availableBytes: number;
      readonly neededBytes: number;
    };

/**
 * The entries to evict so that `neededBytes` more fit under `budgetBytes`, least recently used
 * first (ties by key, so the choice is deterministic), taking no more than needed. `full` when
 * even evicting every idle entry leaves too little room; then nothing should be evicted.
 */
export function chooseEvictions(
  entries: readonly CacheEntry[],
  budgetBytes: number,
  neededBytes: number,
): EvictionChoice {
  const used = entries.reduce((sum, e) => sum + e.bytes, 0);
  let free = budgetBytes - used;
  if (neededBytes <= free) return { kind: 'fits', evict: [], freedBytes: 0 };
  const idle = entries
    .filter((e) => !e.inUse)
    .sort((a, b) => a.lastUsedMs - b.lastUsedMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const evict: string[] = [];
  let freedBytes = 0;
  for (const entry of idle) {
    if (neededBytes <= free) break;
    evict.push(entry.key);
    freedBytes += entry.bytes;
    free += entry.bytes;
  }
  if (neededBytes > free) return { kind: 'full', availableBytes: free, neededBytes };
  return { kind: 'fits', evict, freedBytes };
}
