/**
 * Tiny, obviously-correct models of the two eviction policies, written from their specs with
 * plain arrays (oldest first) and linear scans, to check the real ones against on generated
 * traces. They record the same callbacks the real policies make.
 */
import type { BlockKey } from '../../../src/kvcache/index.js';

interface Entry {
  key: BlockKey;
  bytes: number;
  hot: number;
}

/** What a model (or a real policy) reported: evictions and hot keys, in order. */
export interface Reports {
  evicted: BlockKey[];
  hot: BlockKey[];
}

const sum = (q: Entry[]): number => q.reduce((s, e) => s + e.bytes, 0);
const take = (q: Entry[], key: BlockKey): Entry | undefined => {
  const i = q.findIndex((e) => e.key === key);
  return i < 0 ? undefined : q.splice(i, 1)[0];
};

/** LRU: a read or a re-put moves to the newest end; the oldest goes first; first read is hot. */
export class LruModel {
  readonly q: Entry[] = [];
  readonly reports: Reports = { evicted: [], hot: [] };
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  used = (): number => sum(this.q);
  has = (key: BlockKey): boolean => this.q.some((e) => e.key === key);
  access(key: BlockKey): boolean {
    const e = take(this.q, key);
    if (e === undefined) return false;
    if (e.hot === 0) this.reports.hot.push(key);
    e.hot = 1;
    this.q.push(e);
    return true;
  }
  insert(key: BlockKey, bytes: number): boolean {
    if (bytes > this.capacity) return false;
    take(this.q, key);
    this.q.push({ key, bytes, hot: 0 });
    while (this.used() > this.capacity) this.evictOne();
    return true;
  }
  remove = (key: BlockKey): boolean => take(this.q, key) !== undefined;
  evictOne(): boolean {
    const e = this.q.shift();
    if (e !== undefined) this.reports.evicted.push(e.key);
    return e !== undefined;
  }
}

/** S3-FIFO as the s3fifo-policy.ts file comment states it. */
export class S3FifoModel {
  readonly small: Entry[] = [];
  readonly main: Entry[] = [];
  readonly ghost: Entry[] = [];
  readonly reports: Reports = { evicted: [], hot: [] };
  readonly smallCap: number;
  readonly mainCap: number;
  readonly capacity: number;
  readonly threshold: number;
  constructor(capacity: number, ratio = 0.3, threshold = 1) {
    this.capacity = capacity;
    this.threshold = threshold;
    this.smallCap = Math.floor(capacity * ratio);
    this.mainCap = capacity - this.smallCap;
  }
  used = (): number => sum(this.small) + sum(this.main);
  has = (key: BlockKey): boolean => [...this.small, ...this.main].some((e) => e.key === key);
  access(key: BlockKey): boolean {
    const inSmall = this.small.find((e) => e.key === key);
    const e = inSmall ?? this.main.find((m) => m.key === key);
    if (e === undefined) return false;
    if (inSmall !== undefined && e.hot === this.threshold - 1) this.reports.hot.push(key);
    e.hot = Math.min(3, e.hot + 1);
    return true;
  }
  insert(key: BlockKey, bytes: number): boolean {
    if (bytes > this.capacity) return false;
    const s = take(this.small, key);
    const m = s === undefined ? take(this.main, key) : undefined;
    if (s !== undefined) this.small.push({ ...s, bytes });
    else if (m !== undefined) this.main.push({ ...m, bytes });
    else if (take(this.ghost, key) !== undefined) {
      this.main.push({ key, bytes, hot: 0 });
      this.reports.hot.push(key);
    } else this.small.push({ key, bytes, hot: 0 });
    while (this.used() > this.capacity) this.step();
    return true;
  }
  remove(key: BlockKey): boolean {
    take(this.ghost, key);
    return take(this.small, key) !== undefined || take(this.main, key) !== undefined;
  }
  evictOne(): boolean {
    const before = this.evictedCount();
    while (this.evictedCount() === before && this.small.length + this.main.length > 0) this.step();
    return this.evictedCount() > before;
  }
  private evictedCount = (): number => this.reports.evicted.length;
  private step(): void {
    if (sum(this.small) > this.smallCap || this.main.length === 0) {
      const e = this.small.shift();
      if (e === undefined) return;
      if (e.hot >= this.threshold) {
        this.main.push({ ...e, hot: 0 });
        while (sum(this.main) > this.mainCap) this.mainStep();
      } else {
        this.reports.evicted.push(e.key);
        this.ghost.push({ ...e, hot: 0 });
        while (sum(this.ghost) > this.mainCap) this.ghost.shift();
      }
    } else this.mainStep();
  }
  private mainStep(): void {
    const e = this.main.shift();
    if (e === undefined) return;
    if (e.hot >= 1) this.main.push({ ...e, hot: e.hot - 1 });
    else this.reports.evicted.push(e.key);
  }
}
