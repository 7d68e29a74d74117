/**
 * The console's recent events (GPU failures, drains, scale decisions, adapter moves, engines up
 * and down, leader changes): a bounded ring fed by the parts that already log or emit them.
 */
import type { Clock } from '../shared/index.js';
import { RingBuffer } from './ring-buffer.js';
import { CONSOLE_LIMITS, type ConsoleEvent, type ConsoleEventKind } from './console-snapshot.js';

/** Longest message kept; longer ones are cut (a peer's error text has no bound of its own). */
export const MAX_EVENT_MESSAGE_CHARS = 500;

/** What a producer hands in; the log stamps id and time. */
export interface ConsoleEventInput {
  readonly kind: ConsoleEventKind;
  readonly severity: ConsoleEvent['severity'];
  readonly subject: string;
  readonly message: string;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Recent events, ids increasing from 1 for this process's life. */
export class ConsoleEventLog {
  readonly #clock: Clock;
  readonly #ring: RingBuffer<ConsoleEvent>;
  #lastId = 0;

  constructor(clock: Clock, capacity: number = CONSOLE_LIMITS.maxEvents) {
    this.#clock = clock;
    this.#ring = new RingBuffer(Math.min(capacity, CONSOLE_LIMITS.maxEvents));
  }

  /** Id of the newest event; 0 before any. */
  get lastId(): number {
    return this.#lastId;
  }

  record(input: ConsoleEventInput): ConsoleEvent {
    const event: ConsoleEvent = {
      id: ++this.#lastId,
      atMs: this.#clock.now(),
      kind: input.kind,
      severity: input.severity,
      subject: cut(input.subject, 200),
      message: cut(input.message, MAX_EVENT_MESSAGE_CHARS),
    };
    this.#ring.push(event);
    return event;
  }

  /** Every event held, newest first. */
  recent(): ConsoleEvent[] {
    return this.#ring.newestFirst();
  }

  /** Events with an id above `id`, newest first. */
  since(id: number): ConsoleEvent[] {
    return this.#ring.newestFirst().filter((e) => e.id > id);
  }
}
