/**
 * Timers that fire only when the test moves time, on a ManualClock: the reconcile host's delayed
 * requeues, resyncs and timeouts run without a real sleep.
 */
import type { Timers } from '../../src/controllers/index.js';
import { ManualClock } from './manual-clock.js';

interface Timer {
  readonly id: number;
  readonly dueMs: number;
  readonly callback: () => void;
}

export class ManualTimers implements Timers {
  readonly clock: ManualClock;
  #timers: Timer[] = [];
  #nextId = 0;

  constructor(clock = new ManualClock()) {
    this.clock = clock;
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Delays of the pending timers from now, ms, soonest first. */
  pendingDelaysMs(): number[] {
    const now = this.clock.monotonicMs();
    return this.#timers.map((t) => t.dueMs - now).sort((a, b) => a - b);
  }

  schedule(delayMs: number, callback: () => void): () => void {
    const id = this.#nextId++;
    this.#timers.push({ id, dueMs: this.clock.monotonicMs() + Math.max(0, delayMs), callback });
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== id);
    };
  }

  /** Moves time forward by `ms`, firing every timer that comes due, in order. */
  advance(ms: number): void {
    const targetMs = this.clock.monotonicMs() + ms;
    for (;;) {
      const due = this.#timers
        .filter((t) => t.dueMs <= targetMs)
        .sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.clock.advance(due.dueMs - this.clock.monotonicMs());
      due.callback();
    }
    this.clock.advance(targetMs - this.clock.monotonicMs());
  }
}
