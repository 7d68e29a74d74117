/**
 * The agent's L1 KV block store: blocks keyed by the engines' chained block hash (a 52-bit
 * number, block-hash.ts), bytes copied into slab slots (slab-allocator.ts), ordered for
 * eviction by S3-FIFO or LRU (eviction-policy.ts), byte-budgeted.
 *
 * - `put` copies in. A block already held is kept as is (a chained hash names its content) and
 *   refreshed in the policy. Memory for a new block comes from evicting by the policy until
 *   the allocator has a slot — so the store never grows past its budget — and a block larger
 *   than the largest slot class is refused with KV_BLOCK_TOO_LARGE before anything is evicted.
 *   `reserve` is the same in two steps, for bytes written as they arrive (put-room.ts).
 * - `get` returns a pinned view, not a copy: the bytes stay valid until `release()`, even if the
 *   block is evicted or deleted meanwhile (its slot is freed on the last release), so a socket
 *   can write straight from the slab (that slot lifetime is held-blocks.ts). `getCopy` is the
 *   simple alternative.
 * - `exists` and `longestPrefix` only look (no policy access), as AIBrix's `exists`.
 * - Evictions are reported to `onEvict(key, bytes)` (the agent tells the leader what left);
 *   `delete` is the caller's own act and is not reported.
 */
import { AppError } from '../shared/index.js';
import {
  zeroCounters,
  type BlockStoreCounters,
  type BlockStoreStats,
} from './block-store-stats.js';
import { createEvictionPolicy } from './create-eviction-policy.js';
import type {
  BlockKey,
  EvictionCallbacks,
  EvictionPolicy,
  EvictionPolicyName,
  S3FifoOptions,
} from './eviction-policy.js';
import { HeldBlocks } from './held-blocks.js';
import { putRoom, type PutOutcome, type PutRoom } from './put-room.js';
import { SlabAllocator, type Slot } from './slab-allocator.js';

/** How a store is sized and what it reports. */
export interface BlockStoreOptions extends EvictionCallbacks {
  /** DRAM budget, bytes: slab memory never exceeds it. */
  readonly budgetBytes: number;
  /** Default `s3fifo` (AIBrix's default). */
  readonly policy?: EvictionPolicyName;
  readonly s3fifo?: S3FifoOptions;
  /** Slot classes, bytes; set them to the engines' block sizes to waste nothing. */
  readonly slotSizes?: readonly number[];
  readonly slabBytes?: number;
  /** A new block became visible (a put or a committed room; not one already held). */
  readonly onStored?: (key: BlockKey) => void;
}

/** A pinned, read-only-by-contract view of a block's bytes; call `release()` once done. */
export interface BlockView {
  readonly key: BlockKey;
  readonly bytes: Uint8Array;
  /** Unpins; idempotent. */
  release(): void;
}

export type { PutOutcome, PutRoom } from './put-room.js';

/** The L1 block store (see the file comment). */
export class BlockStore {
  private budget: number;
  private readonly allocator: SlabAllocator;
  private readonly options: BlockStoreOptions;
  private policy: EvictionPolicy;
  /** The blocks and their slots' lifetime (held-blocks.ts). */
  private readonly entries: HeldBlocks;
  private readonly counters: BlockStoreCounters = zeroCounters();
  private readonly onEvict: EvictionCallbacks['onEvict'];

  constructor(options: BlockStoreOptions) {
    this.budget = options.budgetBytes;
    this.options = options;
    this.allocator = new SlabAllocator(options);
    this.entries = new HeldBlocks(this.allocator);
    this.onEvict = options.onEvict;
    this.policy = this.buildPolicy(options.policy ?? 's3fifo');
  }

  /** The DRAM budget now, bytes. */
  get budgetBytes(): number {
    return this.budget;
  }

  /** The eviction policy now. */
  get policyName(): EvictionPolicyName {
    return this.policy.name;
  }

  /**
   * A new budget and policy (kv.configure). The policy is rebuilt at the new capacity and the
   * held keys re-inserted oldest stored first (their order in the store), so a smaller budget
   * evicts the oldest through onEvict as usual; the old policy's recency and frequency state is
   * not carried over. Evictions then go on until slab memory fits the budget (a slab is freed
   * only when all its blocks are gone); blocks pinned by a reader free their slot on release.
   */
  reconfigure(budgetBytes: number, policy: EvictionPolicyName): void {
    this.allocator.setBudget(budgetBytes);
    this.budget = budgetBytes;
    this.policy = this.buildPolicy(policy);
    for (const [key, entry] of [...this.entries.entries()]) {
      if (!entry.held) continue;
      if (!this.policy.insert(key, entry.slot.size)) this.evicted(key);
    }
    while (this.allocator.allocatedBytes > budgetBytes && this.policy.evictOne());
  }

  private buildPolicy(name: EvictionPolicyName): EvictionPolicy {
    const { s3fifo, onHot } = this.options;
    return createEvictionPolicy(name, {
      capacityBytes: this.allocator.maxSlabs * this.allocator.slabBytes,
      ...(s3fifo === undefined ? {} : { s3fifo }),
      ...(onHot === undefined ? {} : { onHot }),
      onEvict: (key) => this.evicted(key),
    });
  }

  /** The largest block `put` accepts, bytes. */
  get maxBlockBytes(): number {
    return this.allocator.maxBlockBytes;
  }

  /**
   * Copies `data` in under `key` (see the file comment); `data` may be the views a block was
   * received in (received-bytes.ts `payloadParts`), copied into the slot one after another.
   */
  put(key: BlockKey, data: Uint8Array | readonly Uint8Array[]): PutOutcome {
    const parts = data instanceof Uint8Array ? [data] : data;
    let length = 0;
    for (const p of parts) length += p.length;
    const room = this.reserve(key, length);
    if (typeof room === 'string') return room;
    let at = 0;
    for (const p of parts) {
      room.target.set(p, at);
      at += p.length;
    }
    return room.commit();
  }

  /**
   * `put` in two steps: room for `key`'s `length` bytes, invisible to readers until `commit()`
   * (`abort()` frees it); `present`, `no-room` and KV_BLOCK_TOO_LARGE as `put` answers them.
   * The slot counts against the budget from now on, however many rooms are open.
   */
  reserve(key: BlockKey, length: number): PutRoom | 'present' | 'no-room' {
    if (this.allocator.classFor(length) === undefined) {
      this.counters.putsTooLargeTotal++;
      throw new AppError(
        'KV_BLOCK_TOO_LARGE',
        `block of ${length} bytes is larger than the largest slot (${this.maxBlockBytes} bytes)`,
        { detail: { key, bytes: length, maxBlockBytes: this.maxBlockBytes } },
      );
    }
    if (this.refreshed(key, length)) return 'present';
    let slot = this.allocator.allocate(length);
    while (slot === undefined && this.policy.evictOne()) slot = this.allocator.allocate(length);
    if (slot === undefined) {
      this.counters.putsNoRoomTotal++;
      return 'no-room';
    }
    const held = slot;
    return putRoom(
      this.allocator.view(held, length),
      () => this.commitRoom(key, held, length),
      () => this.allocator.free(held),
    );
  }

  private commitRoom(key: BlockKey, slot: Slot, length: number): PutOutcome {
    // Another put of the key may have landed while this one was written.
    if (this.refreshed(key, length)) {
      this.allocator.free(slot);
      return 'present';
    }
    this.entries.add(key, slot, length);
    this.options.onStored?.(key);
    // Held slots ≤ allocated slabs ≤ the policy's capacity, unless a reconfigure shrank it.
    if (!this.policy.insert(key, slot.size)) this.evicted(key);
    this.counters.putsTotal++;
    this.counters.putBytesTotal += length;
    return 'stored';
  }

  /** True when `key` is held at `length` (then refreshed); held at another length, dropped. */
  private refreshed(key: BlockKey, length: number): boolean {
    const old = this.entries.get(key);
    if (old === undefined) return false;
    if (old.length === length) {
      this.policy.insert(key, old.slot.size);
      this.counters.putsPresentTotal++;
      return true;
    }
    this.delete(key);
    return false;
  }

  /** A pinned view of the block (a hit for the policy), or undefined on a miss. */
  get(key: BlockKey): BlockView | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.counters.missesTotal++;
      return undefined;
    }
    this.policy.access(key);
    this.counters.hitsTotal++;
    this.counters.hitBytesTotal += entry.length;
    const release = this.entries.pin(entry);
    return { key, bytes: this.allocator.view(entry.slot, entry.length), release };
  }

  /** A copy of the block's bytes (a hit for the policy), or undefined on a miss. */
  getCopy(key: BlockKey): Uint8Array | undefined {
    const view = this.get(key);
    if (view === undefined) return undefined;
    const copy = view.bytes.slice();
    view.release();
    return copy;
  }

  /** Whether each key is held; no policy access. */
  exists(keys: readonly BlockKey[]): boolean[] {
    return keys.map((key) => this.entries.has(key));
  }

  /** How many leading blocks of the chain `keys` are held; no policy access. */
  longestPrefix(keys: readonly BlockKey[]): number {
    let n = 0;
    while (n < keys.length && this.entries.has(keys[n] as BlockKey)) n++;
    return n;
  }

  /** Every key held now (the agent resends them to the leader after a reset). */
  keys(): IterableIterator<BlockKey> {
    return this.entries.keys();
  }

  /** Drops the block (not reported to onEvict); true when it was held. */
  delete(key: BlockKey): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.policy.remove(key);
    this.entries.unhold(key, entry);
    this.counters.deletesTotal++;
    return true;
  }

  /** Counters and gauges for the caller to export. */
  stats(): BlockStoreStats {
    return {
      ...this.counters,
      blocks: this.entries.size,
      bytes: this.entries.heldBytes,
      slotBytes: this.entries.slotBytes,
      slabBytes: this.allocator.allocatedBytes,
      budgetBytes: this.budgetBytes,
      pinnedViews: this.entries.pinnedViews,
    };
  }

  private evicted(key: BlockKey): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.unhold(key, entry);
    this.counters.evictionsTotal++;
    this.counters.evictedBytesTotal += entry.length;
    this.onEvict?.(key, entry.length);
  }
}
