/**
 * A sliding time window of metric samples in fixed-size time buckets (AIBrix's 1 s granularity
 * windows, reference/aibrix.md §4.2). Pure: the caller passes the time.
 *
 * Average = the mean of the *samples* recorded in the window (sum / count), as AIBrix's window
 * does. Knative instead divides bucket sums by the number of buckets, so a second with no sample
 * counts as a zero; we do not, on purpose: a source that stops reporting (a failed scrape) must
 * not look like an idle target and drive a scale-down. Empty buckets are simply skipped.
 */
import type { MetricWindow } from './scaling-contract.js';

/** Options of a {@link TimeBucketWindow}. */
export interface TimeBucketWindowOptions {
  /** The longest window `average` will be asked for (bounds memory: max / granularity buckets). */
  readonly maxWindowMs: number;
  /** Bucket width. Default 1000 ms. */
  readonly granularityMs?: number;
}

interface Bucket {
  /** floor(t / granularity) of the samples held; -Infinity when empty. */
  index: number;
  sum: number;
  count: number;
}

/** The default bucket width, 1 s (AIBrix and Knative). */
export const DEFAULT_WINDOW_GRANULARITY_MS = 1000;

/** A bounded ring of time buckets implementing {@link MetricWindow}. */
export class TimeBucketWindow implements MetricWindow {
  private readonly granularityMs: number;
  private readonly buckets: Bucket[];
  /** Index of the newest bucket written, -Infinity before the first sample. */
  private newest = Number.NEGATIVE_INFINITY;

  constructor(options: TimeBucketWindowOptions) {
    const granularity = options.granularityMs ?? DEFAULT_WINDOW_GRANULARITY_MS;
    // Bad sizes are clamped, not thrown: the window is built from user-supplied spec values.
    this.granularityMs = Number.isFinite(granularity) && granularity >= 1 ? granularity : 1000;
    const maxWindow = Number.isFinite(options.maxWindowMs) ? options.maxWindowMs : 0;
    const size = Math.max(1, Math.ceil(maxWindow / this.granularityMs));
    this.buckets = Array.from({ length: size }, () => ({
      index: Number.NEGATIVE_INFINITY,
      sum: 0,
      count: 0,
    }));
  }

  /** Number of buckets held (the memory bound). */
  get capacity(): number {
    return this.buckets.length;
  }

  record(nowMs: number, value: number): void {
    if (!Number.isFinite(nowMs) || !Number.isFinite(value)) return;
    const index = Math.floor(nowMs / this.granularityMs);
    const size = this.buckets.length;
    if (index <= this.newest - size) {
      // Time went back further than the ring holds: a clock reset, not a late sample. Start
      // over rather than drop every sample until time catches up.
      if (index < this.newest - 2 * size) this.clear();
      else return;
    }
    const bucket = this.buckets[mod(index, size)];
    if (!bucket) return;
    if (bucket.index !== index) {
      bucket.index = index;
      bucket.sum = 0;
      bucket.count = 0;
    }
    bucket.sum += value;
    bucket.count += 1;
    if (index > this.newest) this.newest = index;
  }

  average(nowMs: number, windowMs: number): number | undefined {
    if (!Number.isFinite(nowMs) || !(windowMs > 0)) return undefined;
    const nowIndex = Math.floor(nowMs / this.granularityMs);
    const span = Math.min(this.buckets.length, Math.ceil(windowMs / this.granularityMs));
    const oldest = nowIndex - span; // exclusive
    let sum = 0;
    let count = 0;
    for (const bucket of this.buckets) {
      if (bucket.count > 0 && bucket.index > oldest && bucket.index <= nowIndex) {
        sum += bucket.sum;
        count += bucket.count;
      }
    }
    return count === 0 ? undefined : sum / count;
  }

  /** Forgets every sample. */
  clear(): void {
    for (const bucket of this.buckets) {
      bucket.index = Number.NEGATIVE_INFINITY;
      bucket.sum = 0;
      bucket.count = 0;
    }
    this.newest = Number.NEGATIVE_INFINITY;
  }
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
