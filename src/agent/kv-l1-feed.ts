/**
 * Tells the leader what the node's L1 store holds (issue #14): every block stored, evicted or
 * deleted becomes a tier-`l1` delta on the KV reporter's KvDeltaSink, and the store's reach and
 * fill its KvStoreReport. Changes made while one request is handled (a put of 32 blocks, the
 * evictions it caused) are coalesced into one delta and one report, sent on the next microtask.
 */
import { BlockStore, type BlockKey, type BlockStoreOptions } from '../kvcache/index.js';
import type { KvStoreReport } from '../protocol/index.js';
import type { KvDeltaSink } from './kv-channel.js';

/** Coalesces the store's changes into deltas and reports for one sink. */
export class L1DeltaFeed {
  private stored = new Set<BlockKey>();
  private removed = new Set<BlockKey>();
  private scheduled = false;
  private readonly sink: KvDeltaSink;
  private readonly report: () => KvStoreReport;

  constructor(sink: KvDeltaSink, report: () => KvStoreReport) {
    this.sink = sink;
    this.report = report;
  }

  /** A block now held. */
  added(key: BlockKey): void {
    this.removed.delete(key);
    this.stored.add(key);
    this.schedule();
  }

  /** A block no longer held (evicted or deleted). */
  dropped(key: BlockKey): void {
    // Stored and dropped within one batch: the leader never needs to hear of it.
    if (!this.stored.delete(key)) this.removed.add(key);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const stored = [...this.stored];
    const removed = [...this.removed];
    this.stored = new Set();
    this.removed = new Set();
    if (stored.length > 0 || removed.length > 0)
      this.sink.record({
        tier: 'l1',
        ...(removed.length > 0 ? { removed } : {}),
        ...(stored.length > 0 ? { stored } : {}),
      });
    this.sink.storeChanged(this.report());
  }
}

/** A BlockStore that tells a feed about every block stored, evicted or deleted. */
export class ReportingBlockStore extends BlockStore {
  private feed: L1DeltaFeed | undefined;

  constructor(options: BlockStoreOptions) {
    super({
      ...options,
      // Puts and puts stored as they arrive (reserve → commit) alike.
      onStored: (key) => {
        this.feed?.added(key);
        options.onStored?.(key);
      },
      onEvict: (key, bytes) => {
        this.feed?.dropped(key);
        options.onEvict?.(key, bytes);
      },
    });
  }

  /** Starts reporting to `feed` (set once the store's URL is known). */
  reportTo(feed: L1DeltaFeed): void {
    this.feed = feed;
  }

  override delete(key: BlockKey): boolean {
    const held = super.delete(key);
    if (held) this.feed?.dropped(key);
    return held;
  }
}
