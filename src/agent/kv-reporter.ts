/**
 * The agent's KV reporter: batches block changes of every source on the node (each engine's
 * GPU cache from its KV events, the agent's L1 store) into `kv` messages to the leader.
 *
 * - seq from 1 per connection; the first message after a welcome, a `kv.resync`, or anything
 *   lost (a full buffer, a send that returned false) has `reset: true` and is followed by every
 *   source's whole holdings, so the leader's index is rebuilt rather than patched on a guess.
 * - Deltas are sent at most every `flushIntervalMs` (or the leader's longer pace), and at once
 *   when a message is full (KV_MESSAGE_LIMITS). A new pace waits a random share of it before
 *   the next batch: every agent hears the pace at once, and kept to their old phases within one
 *   short flush interval, a thousand agents' batches would reach the leader together.
 * - While disconnected nothing is buffered: the reset at the next welcome resends the holdings,
 *   which already contain every change made meanwhile (counted as superseded).
 * - Between flushes at most `maxBufferedHashes` are kept; beyond, the buffer is dropped and a
 *   reset is due instead (counted).
 */
import type { Timers } from '../controllers/index.js';
import {
  KV_MESSAGE_LIMITS,
  type KvMessage,
  type KvSourceDelta,
  type KvStoreReport,
  type KvResyncMessage,
  type KvLookupResultMessage,
} from '../protocol/index.js';
import type { Logger } from '../shared/index.js';
import type { KvChannel, KvDeltaSink, KvHoldingsSource, KvSend } from './kv-channel.js';

/** Options of the KV reporter. */
export interface KvReporterOptions {
  /** Shortest time between two delta messages, ms. Default 100. */
  readonly flushIntervalMs?: number;
  /** Most hashes buffered between flushes. Default 65536. */
  readonly maxBufferedHashes?: number;
  readonly timers: Timers;
  readonly log: Logger;
  /** Uniform in [0, 1), for the phase a new pace draws. Default Math.random. */
  readonly random?: () => number;
}

/** Counters of the reporter (exported as metrics by the wiring). */
export interface KvReporterStats {
  messages: number;
  resets: number;
  /** Deltas dropped while disconnected (the next reset covers them). */
  superseded: number;
  /** Buffers dropped for a reset: over the bound, or a send refused. */
  overflows: number;
}

const hashesOf = (d: KvSourceDelta): number => (d.removed?.length ?? 0) + (d.stored?.length ?? 0);

/** Splits a delta so no piece carries more than `max` hashes (cleared stays on the first). */
export function splitKvDelta(delta: KvSourceDelta, max: number): KvSourceDelta[] {
  if (hashesOf(delta) <= max) return [delta];
  const base = {
    tier: delta.tier,
    ...(delta.engineId === undefined ? {} : { engineId: delta.engineId }),
  };
  const out: KvSourceDelta[] = [];
  let first = delta.cleared === true;
  const push = (key: 'removed' | 'stored', hashes: readonly number[]): void => {
    for (let i = 0; i < hashes.length; i += max) {
      out.push({ ...base, ...(first ? { cleared: true } : {}), [key]: hashes.slice(i, i + max) });
      first = false;
    }
  };
  push('removed', delta.removed ?? []);
  push('stored', delta.stored ?? []);
  return out;
}

/** Implements the leader client's KvChannel and the sources' KvDeltaSink. */
export class KvReporter implements KvChannel, KvDeltaSink {
  readonly stats: KvReporterStats = { messages: 0, resets: 0, superseded: 0, overflows: 0 };
  readonly #flushIntervalMs: number;
  readonly #maxBufferedHashes: number;
  readonly #timers: Timers;
  readonly #log: Logger;
  readonly #sources = new Set<KvHoldingsSource>();
  #send: KvSend | null = null;
  #seq = 0;
  #pending: KvSourceDelta[] = [];
  #pendingHashes = 0;
  #store: KvStoreReport | undefined;
  #storeDirty = false;
  #resetDue = false;
  #cancelTimer: (() => void) | null = null;
  /** The leader's pace (pace-messages.ts): batches at most this often when longer than ours. */
  #pacedFlushMs = 0;
  /** The next flush waits this share of the interval: a new pace's random phase (else 1). */
  #phase = 1;
  readonly #random: () => number;

  constructor(options: KvReporterOptions) {
    this.#flushIntervalMs = options.flushIntervalMs ?? 100;
    this.#maxBufferedHashes = options.maxBufferedHashes ?? 65_536;
    this.#timers = options.timers;
    this.#log = options.log;
    this.#random = options.random ?? Math.random;
  }

  welcomed(send: KvSend): void {
    this.#send = send;
    this.#seq = 0;
    this.#sendReset();
  }

  received(message: KvResyncMessage | KvLookupResultMessage): void {
    if (message.type !== 'kv.resync' || this.#send === null) return;
    this.#log.info({ reason: message.reason }, 'leader asked for a KV resync');
    this.#sendReset();
  }

  disconnected(): void {
    this.#send = null;
    this.#pacedFlushMs = 0; // a new leader starts unpaced
    this.#dropPending();
  }

  paced(flushIntervalMs: number): void {
    if (flushIntervalMs === this.#pacedFlushMs) return;
    this.#pacedFlushMs = flushIntervalMs;
    if (flushIntervalMs <= this.#flushIntervalMs) return;
    // A new phase (see the file comment): a batch already waiting waits for it instead.
    this.#phase = this.#random();
    if (this.#cancelTimer === null) return;
    this.#cancelTimer();
    this.#cancelTimer = null;
    this.#schedule();
  }

  record(delta: KvSourceDelta): void {
    if (this.#send === null) {
      this.stats.superseded++;
      return;
    }
    if (this.#resetDue) return; // the reset will carry the holdings, this change included
    const n = hashesOf(delta);
    if (this.#pendingHashes + n > this.#maxBufferedHashes) {
      this.stats.overflows++;
      this.#dropPending();
      this.#resetDue = true;
      this.#schedule();
      return;
    }
    this.#pending.push(...splitKvDelta(delta, KV_MESSAGE_LIMITS.hashesPerMessage));
    this.#pendingHashes += n;
    if (
      this.#pendingHashes >= KV_MESSAGE_LIMITS.hashesPerMessage ||
      this.#pending.length >= KV_MESSAGE_LIMITS.deltasPerMessage
    )
      this.#flush();
    else this.#schedule();
  }

  addSource(source: KvHoldingsSource): () => void {
    this.#sources.add(source);
    return () => {
      this.#sources.delete(source);
    };
  }

  storeChanged(report: KvStoreReport): void {
    this.#store = report;
    this.#storeDirty = true;
    if (this.#send !== null) this.#schedule();
  }

  #schedule(): void {
    if (this.#cancelTimer !== null) return;
    const delayMs = Math.max(this.#flushIntervalMs, this.#pacedFlushMs) * this.#phase;
    this.#phase = 1;
    this.#cancelTimer = this.#timers.schedule(delayMs, () => {
      this.#cancelTimer = null;
      this.#flush();
    });
  }

  #dropPending(): void {
    this.#pending = [];
    this.#pendingHashes = 0;
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  #flush(): void {
    if (this.#send === null) return;
    if (this.#resetDue) {
      this.#sendReset();
      return;
    }
    if (this.#pending.length === 0 && !this.#storeDirty) return;
    const deltas = this.#pending;
    this.#dropPending();
    this.#sendAll(deltas, false);
  }

  /** Resends everything: reset, then each source's holdings. */
  #sendReset(): void {
    this.#dropPending();
    this.#resetDue = false;
    this.stats.resets++;
    const deltas: KvSourceDelta[] = [];
    for (const source of this.#sources) {
      const stored = [...source.holdings()];
      const delta: KvSourceDelta = {
        tier: source.tier,
        ...(source.engineId === undefined ? {} : { engineId: source.engineId }),
        stored,
      };
      if (stored.length > 0)
        deltas.push(...splitKvDelta(delta, KV_MESSAGE_LIMITS.hashesPerMessage));
    }
    this.#storeDirty = this.#store !== undefined;
    this.#sendAll(deltas, true);
  }

  /** Packs deltas into messages within the limits; a refused send makes a reset due. */
  #sendAll(deltas: readonly KvSourceDelta[], reset: boolean): void {
    let i = 0;
    let first = true;
    while (first || i < deltas.length) {
      const batch: KvSourceDelta[] = [];
      let hashes = 0;
      while (
        i < deltas.length &&
        batch.length < KV_MESSAGE_LIMITS.deltasPerMessage &&
        hashes + hashesOf(deltas[i] as KvSourceDelta) <= KV_MESSAGE_LIMITS.hashesPerMessage
      ) {
        hashes += hashesOf(deltas[i] as KvSourceDelta);
        batch.push(deltas[i++] as KvSourceDelta);
      }
      const message: KvMessage = {
        v: 1,
        type: 'kv',
        seq: this.#seq + 1,
        ...(reset && first ? { reset: true as const } : {}),
        deltas: batch,
        ...(first && this.#storeDirty && this.#store !== undefined ? { store: this.#store } : {}),
      };
      if (this.#send === null || !this.#send(message)) {
        // Not sent: the leader's view is now behind by an unknown amount; resend it all.
        this.stats.overflows++;
        this.#resetDue = true;
        if (this.#send !== null) this.#schedule();
        return;
      }
      this.#seq++;
      this.stats.messages++;
      if (first) this.#storeDirty = false;
      first = false;
    }
  }
}
