/**
 * An ExpectedModels the test drives: which models are expected and ready, what demand the hold
 * signalled, and readiness watches it resolves on `markReady`.
 */
import type { ExpectedModels } from '../../src/gateway/index.js';

export class FakeExpectedModels implements ExpectedModels {
  readonly expected = new Set<string>();
  readonly ready = new Set<string>();
  /** Every demand call, in order. */
  readonly demands: string[] = [];
  /** Signals of the readiness watches asked for, by model (to see them let go). */
  readonly watches: { model: string; signal: AbortSignal }[] = [];
  /** Per-model hold times, ms. */
  readonly holdTimes = new Map<string, number>();
  /** When set, whenReady rejects with it (a failing readiness source). */
  failWith: Error | undefined;
  readonly #waiters: { model: string; resolve: () => void }[] = [];

  constructor(expected: readonly string[] = []) {
    for (const m of expected) this.expected.add(m);
  }

  isExpected(model: string): boolean {
    return this.expected.has(model);
  }

  isReady(model: string): boolean {
    return this.ready.has(model);
  }

  demand(model: string): void {
    this.demands.push(model);
  }

  holdTimeoutMs(model: string): number | undefined {
    return this.holdTimes.get(model);
  }

  whenReady(model: string, signal: AbortSignal): Promise<void> {
    this.watches.push({ model, signal });
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    if (this.ready.has(model)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ model, resolve });
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
  }

  /** Marks the model ready and resolves its watches. */
  markReady(model: string): void {
    this.ready.add(model);
    for (const w of this.#waiters.splice(0)) {
      if (w.model === model) w.resolve();
      else this.#waiters.push(w);
    }
  }
}
