import { LRUCache } from 'lru-cache';
import type { VtcConfig } from './routing-config.js';
import { boundedKey } from '../kvcache/index.js';

interface UserWindow {
  /** Weighted tokens per bucket; bucket b covers [b·bucketMs, (b+1)·bucketMs). */
  readonly buckets: Float64Array;
  /** Absolute index of the newest bucket written. */
  newest: number;
}

/**
 * Per-user weighted token counts over a sliding window (VTC's virtual token counter), bounded:
 * `maxUsers` users (LRU), each a ring of `windowBuckets` buckets spanning `windowMs`. Time is
 * passed in (the snapshot's `nowMs`), never read.
 */
export class VtcTracker {
  readonly #users: LRUCache<string, UserWindow>;
  readonly #bucketMs: number;
  readonly #n: number;
  #rangeCache: { bucket: number; min: number; max: number } | undefined;

  constructor(config: Pick<VtcConfig, 'windowMs' | 'windowBuckets' | 'maxUsers'>) {
    this.#users = new LRUCache({ max: config.maxUsers });
    this.#n = config.windowBuckets;
    this.#bucketMs = Math.max(1, Math.floor(config.windowMs / config.windowBuckets));
  }

  #bucketOf(nowMs: number): number {
    return Math.floor(nowMs / this.#bucketMs);
  }

  #total(w: UserWindow, bucket: number): number {
    let sum = 0;
    for (let b = Math.max(w.newest - this.#n + 1, bucket - this.#n + 1); b <= w.newest; b++)
      sum += w.buckets[b % this.#n] ?? 0;
    return sum;
  }

  /** The user's weighted tokens within the window ending at `nowMs`; 0 when unknown. */
  tokens(user: string, nowMs: number): number {
    const w = this.#users.peek(boundedKey(user));
    return w === undefined ? 0 : this.#total(w, this.#bucketOf(nowMs));
  }

  /** Adds weighted tokens to the user's current bucket. */
  add(user: string, weightedTokens: number, nowMs: number): void {
    const key = boundedKey(user);
    const bucket = this.#bucketOf(nowMs);
    let w = this.#users.get(key);
    if (w === undefined) {
      w = { buckets: new Float64Array(this.#n), newest: bucket };
      this.#users.set(key, w);
    }
    // Clear the buckets that slid out of the window since the last write.
    for (let b = Math.max(w.newest + 1, bucket - this.#n + 1); b <= bucket; b++)
      w.buckets[b % this.#n] = 0;
    if (bucket > w.newest) w.newest = bucket;
    w.buckets[bucket % this.#n] = (w.buckets[bucket % this.#n] ?? 0) + weightedTokens;
    this.#rangeCache = undefined;
  }

  /**
   * Smallest and largest counts among users active in the window; [0, 0] with none. Scans every
   * user (≤ maxUsers), cached until the next add or the next bucket.
   */
  range(nowMs: number): readonly [number, number] {
    const bucket = this.#bucketOf(nowMs);
    if (this.#rangeCache?.bucket === bucket) return [this.#rangeCache.min, this.#rangeCache.max];
    let min = Infinity;
    let max = 0;
    for (const w of this.#users.values()) {
      const t = this.#total(w, bucket);
      if (t <= 0) continue;
      if (t < min) min = t;
      if (t > max) max = t;
    }
    if (min === Infinity) min = 0;
    this.#rangeCache = { bucket, min, max };
    return [min, max];
  }
}
