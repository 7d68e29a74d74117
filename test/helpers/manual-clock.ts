/** A clock tests move by hand (STYLE.md §19): time-based decisions without real time. */
import type { Clock } from '../../src/shared/index.js';

/** A clock that only moves when told to; for unit tests of time-based decisions. */
export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  monotonicMs(): number {
    return this.#nowMs;
  }

  advance(ms: number): void {
    this.#nowMs += ms;
  }
}
