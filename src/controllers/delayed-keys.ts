/**
 * Keys waiting for a later reconcile (a requeue-after or an error backoff), after client-go's
 * delaying queue: one timer per key, and a key asked for twice keeps the earlier time, so a
 * delayed retry never postpones a requeue that is already due sooner. Bounded by `maxKeys`.
 */
import type { Clock } from '../shared/index.js';
import type { Timers } from './timers.js';

interface Pending {
  readonly dueMs: number;
  readonly cancel: () => void;
}

export class DelayedKeys {
  readonly #timers: Timers;
  readonly #clock: Clock;
  readonly #maxKeys: number;
  readonly #onDue: (key: string) => void;
  readonly #pending = new Map<string, Pending>();

  /** @param onDue called with each key whose time has come (the host queues it). */
  constructor(timers: Timers, clock: Clock, maxKeys: number, onDue: (key: string) => void) {
    this.#timers = timers;
    this.#clock = clock;
    this.#maxKeys = maxKeys;
    this.#onDue = onDue;
  }

  /** Keys waiting for their time. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Asks for the key to come due after `delayMs`; keeps an earlier time already asked for.
   * False when the bound is reached and the key was not already waiting.
   */
  addAfter(key: string, delayMs: number): boolean {
    const dueMs = this.#clock.monotonicMs() + delayMs;
    const existing = this.#pending.get(key);
    if (existing !== undefined) {
      if (existing.dueMs <= dueMs) return true;
      existing.cancel();
    } else if (this.#pending.size >= this.#maxKeys) {
      return false;
    }
    const cancel = this.#timers.schedule(delayMs, () => {
      this.#pending.delete(key);
      this.#onDue(key);
    });
    this.#pending.set(key, { dueMs, cancel });
    return true;
  }

  /** Cancels every pending timer (on stop). */
  clear(): void {
    for (const pending of this.#pending.values()) pending.cancel();
    this.#pending.clear();
  }
}
