/**
 * Which byte ranges of one file are on disk, and readers waiting for ranges that are not yet.
 * The streamer adds each chunk's range once it is written; a reader waits for exactly the bytes
 * it needs. Waiters are bounded: past `maxWaiters` a new one is refused, not queued.
 */
import { AppError } from '../shared/index.js';
import type { ByteRange } from './artifact.js';

interface Waiter {
  readonly range: ByteRange;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  readonly cleanup: () => void;
}

/** Ranges of one file that are available, as a sorted list of disjoint half-open intervals. */
export class RangeAvailability {
  #size: number;
  readonly #maxWaiters: number;
  /** Sorted, disjoint, non-adjacent [start, end) intervals. */
  #ranges: ByteRange[] = [];
  #waiters = new Set<Waiter>();
  #failure: Error | undefined;

  constructor(size: number, options: { readonly maxWaiters: number }) {
    this.#size = size;
    this.#maxWaiters = options.maxWaiters;
  }

  /** The file's size. */
  get size(): number {
    return this.#size;
  }

  /** Bytes available in total. */
  get bytesAvailable(): number {
    return this.#ranges.reduce((sum, r) => sum + (r.end - r.start), 0);
  }

  /** Readers waiting now. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** The intervals available (a copy). */
  ranges(): readonly ByteRange[] {
    return this.#ranges.slice();
  }

  /** Marks `range` available (clipped to the file) and wakes every waiter it completes. */
  add(range: ByteRange): void {
    const start = Math.max(0, range.start);
    const end = Math.min(this.size, range.end);
    if (end <= start) return;
    let merged: ByteRange = { start, end };
    const kept: ByteRange[] = [];
    for (const r of this.#ranges) {
      if (r.end < merged.start || r.start > merged.end) kept.push(r);
      else merged = { start: Math.min(r.start, merged.start), end: Math.max(r.end, merged.end) };
    }
    kept.push(merged);
    kept.sort((a, b) => a.start - b.start);
    this.#ranges = kept;
    for (const w of [...this.#waiters]) {
      if (!this.covers(w.range)) continue;
      w.cleanup();
      w.resolve();
    }
  }

  /** True when every byte of `range` (clipped to the file) is available; an empty range is. */
  covers(range: ByteRange): boolean {
    const start = Math.max(0, range.start);
    const end = Math.min(this.size, range.end);
    if (end <= start) return true;
    return this.#ranges.some((r) => r.start <= start && r.end >= end);
  }

  /** Forgets every range (the file restarts from scratch, maybe at a new size); waiters keep waiting. */
  reset(size = this.#size): void {
    this.#size = size;
    this.#ranges = [];
  }

  /** Rejects every waiter, now and later, with `err` (the pull failed or was aborted). */
  fail(err: Error): void {
    if (this.#failure === undefined) this.#failure = err;
    for (const w of [...this.#waiters]) {
      w.cleanup();
      w.reject(err);
    }
  }

  /**
   * Resolves once `range` is available. Rejects with the pull's failure, with WEIGHTS_ABORTED
   * when `signal` aborts, or with WEIGHTS_TOO_MANY_READERS when `maxWaiters` already wait.
   */
  waitFor(range: ByteRange, signal: AbortSignal): Promise<void> {
    if (this.covers(range)) return Promise.resolve();
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (signal.aborted) return Promise.reject(abortedError());
    if (this.#waiters.size >= this.#maxWaiters)
      return Promise.reject(
        new AppError(
          'WEIGHTS_TOO_MANY_READERS',
          `${this.#waiters.size} readers already wait for bytes of this file`,
          { httpStatus: 503 },
        ),
      );
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        waiter.cleanup();
        reject(abortedError());
      };
      const waiter: Waiter = {
        range,
        resolve,
        reject,
        cleanup: () => {
          this.#waiters.delete(waiter);
          signal.removeEventListener('abort', onAbort);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }
}

function abortedError(): AppError {
  return new AppError('WEIGHTS_ABORTED', 'the read was cancelled before its bytes arrived');
}
