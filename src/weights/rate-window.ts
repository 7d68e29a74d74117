/**
 * Bytes per second over the last few seconds, for pull progress: bytes are summed into
 * one-second buckets in a bounded ring, so the rate follows the recent speed, not the average.
 */

/** A sliding-window byte rate; the caller passes monotonic milliseconds. */
export class RateWindow {
  readonly #windowMs: number;
  readonly #bucketMs: number;
  /** [bucket start ms, bytes], oldest first; at most windowMs / bucketMs + 1 entries. */
  #buckets: [number, number][] = [];

  constructor(options: { readonly windowMs: number; readonly bucketMs?: number }) {
    this.#windowMs = options.windowMs;
    this.#bucketMs = options.bucketMs ?? 1000;
  }

  /** Counts `bytes` at time `nowMs`. */
  add(bytes: number, nowMs: number): void {
    const start = Math.floor(nowMs / this.#bucketMs) * this.#bucketMs;
    const last = this.#buckets[this.#buckets.length - 1];
    if (last?.[0] === start) last[1] += bytes;
    else this.#buckets.push([start, bytes]);
    this.#trim(nowMs);
  }

  /** Bytes per second over the window ending at `nowMs` (0 before any bytes). */
  bytesPerSecond(nowMs: number): number {
    this.#trim(nowMs);
    const first = this.#buckets[0];
    if (first === undefined) return 0;
    const total = this.#buckets.reduce((sum, [, b]) => sum + b, 0);
    const spanMs = Math.max(this.#bucketMs, Math.min(this.#windowMs, nowMs - first[0]));
    return (total * 1000) / spanMs;
  }

  #trim(nowMs: number): void {
    const oldest = nowMs - this.#windowMs;
    while ((this.#buckets[0]?.[0] ?? Infinity) + this.#bucketMs <= oldest) this.#buckets.shift();
  }
}
