/**
 * Work handled in slices of an event-loop turn each, in arrival order. The hub used to handle
 * every agent message inside the socket's read callback, so all the messages one poll of the
 * event loop found (1,300-1,600 of them after a stall at 1,000 agents, bench leader) ran in one
 * turn of 25-50 ms while the gateway's requests, read in the same poll, waited behind them. Here
 * a slice ends at a time budget and the rest waits for the next turn's check phase, after the
 * poll has read (and the gateway served) whatever came in meanwhile.
 *
 * Bounded: past `maxItems` waiting, a push handles everything at once (the old behaviour) rather
 * than hold more. `flush()` handles what waits now (an agent's close must see its messages first).
 */
import { systemClock, type Clock } from '../shared/index.js';

/** The slice budget and the bound on what waits. */
export interface TurnQueueLimits {
  /** Handling time one turn spends before yielding, ms (at least one item a turn). */
  readonly budgetMs: number;
  readonly maxItems: number;
}

/** Schedules `run` after the current turn's I/O (setImmediate; a test passes its own). */
export type ScheduleTurn = (run: () => void) => void;

export class TurnQueue<T> {
  readonly #handle: (item: T) => void;
  readonly #limits: TurnQueueLimits;
  readonly #clock: Pick<Clock, 'monotonicMs'>;
  readonly #schedule: ScheduleTurn;
  /** Items in arrival order; `#head` is the next to handle (the array is compacted per slice). */
  #items: T[] = [];
  #head = 0;
  #scheduled = false;
  /** Time spent handling since the last `takeBusyMs()`, ms. */
  #busyMs = 0;

  constructor(
    handle: (item: T) => void,
    limits: TurnQueueLimits,
    clock: Pick<Clock, 'monotonicMs'> = systemClock,
    schedule: ScheduleTurn = (run) => setImmediate(run),
  ) {
    this.#handle = handle;
    this.#limits = limits;
    this.#clock = clock;
    this.#schedule = schedule;
  }

  /** Items waiting. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.size > this.#limits.maxItems) return this.flush();
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      this.#slice();
    });
  }

  /** Handles everything waiting, now. */
  flush(): void {
    this.#run(Number.POSITIVE_INFINITY);
  }

  /** Handling time since the last call, ms. */
  takeBusyMs(): number {
    const ms = this.#busyMs;
    this.#busyMs = 0;
    return ms;
  }

  #slice(): void {
    this.#run(this.#limits.budgetMs);
    if (this.size > 0 && !this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(() => {
        this.#scheduled = false;
        this.#slice();
      });
    }
  }

  #run(budgetMs: number): void {
    const started = this.#clock.monotonicMs();
    const deadline = started + budgetMs;
    let now = started;
    try {
      while (this.#head < this.#items.length) {
        const item = this.#items[this.#head] as T;
        this.#items[this.#head++] = undefined as T; // let it go before the slice ends
        this.#handle(item);
        now = this.#clock.monotonicMs();
        if (now >= deadline) break;
      }
    } finally {
      this.#busyMs += now - started;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      } else if (this.#head > 1024) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
    }
  }
}
