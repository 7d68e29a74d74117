/**
 * A bounded window of timestamped samples implementing the contract's {@link MetricWindow}: the
 * controller's sampler records one value per source each second, and the decision reads the
 * stable and panic averages. Samples older than the longest window asked for are dropped, and at
 * most `maxSamples` are kept (oldest dropped first). Pure: time is passed in.
 */
import type { MetricWindow } from './scaling-contract.js';

/** See the file comment. */
export class SampleWindow implements MetricWindow {
  readonly #times: number[] = [];
  readonly #values: number[] = [];
  readonly #maxAgeMs: number;
  readonly #maxSamples: number;

  /**
   * @param maxAgeMs samples older than this are forgotten (the stable window).
   * @param maxSamples most samples held. Default 3600 (an hour at 1 Hz).
   */
  constructor(maxAgeMs: number, maxSamples = 3600) {
    this.#maxAgeMs = maxAgeMs;
    this.#maxSamples = Math.max(1, maxSamples);
  }

  record(nowMs: number, value: number): void {
    if (!Number.isFinite(value)) return;
    this.#times.push(nowMs);
    this.#values.push(value);
    this.#trim(nowMs);
  }

  average(nowMs: number, windowMs: number): number | undefined {
    this.#trim(nowMs);
    let sum = 0;
    let count = 0;
    for (let i = this.#times.length - 1; i >= 0; i--) {
      if (nowMs - (this.#times[i] ?? 0) > windowMs) break;
      sum += this.#values[i] ?? 0;
      count++;
    }
    return count === 0 ? undefined : sum / count;
  }

  #trim(nowMs: number): void {
    let drop = Math.max(0, this.#times.length - this.#maxSamples);
    while (drop < this.#times.length && nowMs - (this.#times[drop] ?? nowMs) > this.#maxAgeMs)
      drop++;
    if (drop > 0) {
      this.#times.splice(0, drop);
      this.#values.splice(0, drop);
    }
  }
}
