/**
 * The main thread's side of the KV index worker's mailbox (worker-block-index.ts): operations
 * queue here, in order, and leave as one message. Batches wait up to `flushMs` for company (a
 * message per event-loop turn cost the two threads more than the work it carried, at 200
 * nodes); a question (a summary) makes the message go at the end of this turn.
 *
 * Bounded: operations sent or queued and not yet answered weigh at most `maxPendingWeight` (a
 * batch weighs its hashes + 1); a batch past it is refused.
 */
import type { KvIndexMessage, KvIndexOp } from './kv-index-worker-protocol.js';

/** An operation waiting for the next message; a batch as its binary `kv` frame. */
export type QueuedOp =
  | Exclude<KvIndexOp, { op: 'apply' }>
  | { readonly op: 'apply'; readonly node: string; readonly frame: Uint8Array };

export interface KvIndexOutboxOptions {
  /** Sends a message; false when there is no worker to send it to (it is dropped). */
  readonly send: (message: KvIndexMessage) => boolean;
  /** A question in a dropped message: its asker gets the fallback answer. */
  readonly unanswered: (id: number) => void;
  readonly maxPendingWeight: number;
  readonly flushMs: number;
}

export class KvIndexOutbox {
  readonly #o: KvIndexOutboxOptions;
  #queue: QueuedOp[] = [];
  #queuedWeight = 0;
  /** Weights of the messages sent and not yet answered, oldest first. */
  readonly #sent: number[] = [];
  #sentWeight = 0;
  /** When the queue goes: at the end of this turn, or within `flushMs`. */
  #flushing: 'soon' | 'later' | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: KvIndexOutboxOptions) {
    this.#o = options;
  }

  /** Queues a batch (its frame) of this weight; false when that would pass the bound. */
  offer(node: string, frame: Uint8Array, weight: number): boolean {
    if (this.#sentWeight + this.#queuedWeight + weight > this.#o.maxPendingWeight) return false;
    this.#queuedWeight += weight;
    this.push({ op: 'apply', node, frame });
    return true;
  }

  push(op: QueuedOp): void {
    this.#queue.push(op);
    const urgent = op.op === 'summary';
    if (this.#flushing === 'soon' || (this.#flushing === 'later' && !urgent)) return;
    clearTimeout(this.#timer);
    this.#flushing = urgent ? 'soon' : 'later';
    if (urgent) setImmediate(() => this.#flush());
    else this.#timer = setTimeout(() => this.#flush(), this.#o.flushMs);
  }

  /** The worker answered the oldest message sent. */
  answered(): void {
    this.#sentWeight -= this.#sent.shift() ?? 0;
  }

  /** The worker is gone: no message sent will be answered. */
  forgetSent(): void {
    this.#sent.length = 0;
    this.#sentWeight = 0;
  }

  #flush(): void {
    if (this.#flushing === undefined) return; // flushed already, by the other schedule
    this.#flushing = undefined;
    clearTimeout(this.#timer);
    const queued = this.#queue;
    const weight = this.#queuedWeight;
    this.#queue = [];
    this.#queuedWeight = 0;
    if (!this.#o.send(packed(queued))) {
      for (const op of queued) if (op.op === 'summary') this.#o.unanswered(op.id);
      return;
    }
    this.#sent.push(weight);
    this.#sentWeight += weight;
  }
}

/** The queued operations as one message: every frame copied into one buffer, 8-byte aligned. */
function packed(queued: readonly QueuedOp[]): KvIndexMessage {
  const aligned = (n: number): number => n + 7 - ((n + 7) % 8);
  let bytes = 0;
  for (const q of queued) if (q.op === 'apply') bytes += aligned(q.frame.length);
  const frames = new ArrayBuffer(bytes);
  const into = new Uint8Array(frames);
  let at = 0;
  const ops = queued.map((q): KvIndexOp => {
    if (q.op !== 'apply') return q;
    into.set(q.frame, at);
    const op = { op: 'apply' as const, node: q.node, at, length: q.frame.length };
    at += aligned(q.frame.length);
    return op;
  });
  return { ops, frames };
}
