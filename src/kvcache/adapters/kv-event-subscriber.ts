/**
 * Subscribes to one engine's vLLM KV events (ZeroMQ SUB) and keeps its holdings
 * (EngineKvHoldings) exact, or says when it cannot: the agent reports what it returns.
 *
 * Sequence handling: batches carry seq 0, 1, 2…. At start, and at every gap, the missing range is
 * asked from the engine's replay ROUTER (a DEALER sends the start seq; the engine streams
 * (seq, payload)… then (-1, "")), bounded in batches and time. When the replay cannot fill the
 * range (no replay socket, a timeout, or its buffer no longer holds the first missing batch), the
 * holdings are unknown: they are cleared and rebuilt from what follows. A seq that goes back
 * with a newer timestamp means the engine restarted (kv-event-sequence.ts): its holdings are
 * cleared and the new process's history is taken from its replay socket. A payload that does
 * not decode is a lost batch.
 */
import { Dealer, Subscriber } from 'zeromq';
import { toError, type Logger } from '../../shared/index.js';
import { decodeKvEventBatch, type KvEventDecodeResult } from '../kv-event-decode.js';
import {
  KV_EVENT_START,
  classifyKvEventBatch,
  type KvEventPosition,
} from '../kv-event-sequence.js';
import type { EngineKvChange, EngineKvHoldings } from '../engine-kv-holdings.js';
import { KV_EVENT_END_SEQ, decodeKvEventSeq, encodeKvEventSeq } from '../kv-event-format.js';

/** Options of one subscriber. */
export interface KvEventSubscriberOptions {
  /** The engine's PUB endpoint, e.g. `tcp://10.0.0.5:5557`. */
  readonly endpoint: string;
  /** The engine's replay ROUTER endpoint; null = gaps cannot be filled. */
  readonly replayEndpoint: string | null;
  /** Topic prefix to subscribe to ("" = all). */
  readonly topic: string;
  /** Where the engine's blocks are kept (bounded by its own options). */
  readonly holdings: EngineKvHoldings;
  /** Told of every net change of the holdings, in order. */
  readonly onChange: (change: EngineKvChange) => void;
  readonly log: Logger;
  /** Time to wait for each replay frame, ms. Default 2000. */
  readonly replayTimeoutMs?: number;
  /** Most batches taken from one replay. Default 10000 (vLLM's buffer_steps). */
  readonly maxReplayBatches?: number;
}

/** Counters of one subscriber. */
export interface KvEventSubscriberStats {
  batches: number;
  gaps: number;
  replayedBatches: number;
  /** Times the holdings were cleared because history was lost (gap not filled, restart, bad batch). */
  resyncs: number;
  /** Engine restarts told by the batches themselves (seq back, newer timestamp). */
  restartsSeen: number;
  badMessages: number;
  skippedEvents: number;
}

/** A running subscriber. */
export interface KvEventSubscriber {
  readonly stats: Readonly<KvEventSubscriberStats>;
  /** The engine restarted (seen by the engine watcher): its holdings are gone. */
  restarted(): void;
  /** Resolves once the initial replay is done and live batches are being read. */
  readonly ready: Promise<void>;
  /** Stops reading and closes the sockets. Idempotent. */
  close(): Promise<void>;
}

interface Replayed {
  /** Batches in seq order, only those ≥ the asked start. */
  readonly batches: { seq: number; payload: Uint8Array }[];
  /** False when the replay did not end with END_SEQ (timeout, bound, bad frame). */
  readonly complete: boolean;
}

/** Starts reading; never throws for a peer's bad message. */
export function startKvEventSubscriber(options: KvEventSubscriberOptions): KvEventSubscriber {
  const { holdings, onChange, log } = options;
  const replayTimeoutMs = options.replayTimeoutMs ?? 2000;
  const maxReplayBatches = options.maxReplayBatches ?? 10_000;
  const stats: KvEventSubscriberStats = {
    batches: 0,
    gaps: 0,
    replayedBatches: 0,
    resyncs: 0,
    restartsSeen: 0,
    badMessages: 0,
    skippedEvents: 0,
  };
  const sub = new Subscriber({ linger: 0 });
  sub.connect(options.endpoint);
  sub.subscribe(options.topic);
  let dealer: Dealer | null = null;
  let closed = false;
  let last: KvEventPosition = KV_EVENT_START;

  const clear = (why: string): void => {
    stats.resyncs++;
    log.info({ endpoint: options.endpoint, why }, 'engine KV holdings unknown: cleared');
    onChange(holdings.clear());
  };

  const apply = (seq: number, decoded: KvEventDecodeResult): void => {
    // An undecodable batch keeps the last ts: a restart is still told by the next good one.
    last = { seq, ts: decoded.ok ? decoded.batch.ts : last.ts };
    stats.batches++;
    if (!decoded.ok) {
      stats.badMessages++;
      clear(`batch ${seq} undecodable: ${decoded.reason}`);
      return;
    }
    stats.skippedEvents += decoded.skippedEvents;
    const change = holdings.apply(decoded.batch.events);
    if (change.cleared || change.removed.length > 0 || change.stored.length > 0) onChange(change);
  };

  const replay = async (from: number, before: number): Promise<Replayed | null> => {
    if (options.replayEndpoint === null) return null;
    if (dealer === null) {
      dealer = new Dealer({
        linger: 0,
        receiveTimeout: replayTimeoutMs,
        sendTimeout: replayTimeoutMs,
      });
      dealer.connect(options.replayEndpoint);
    }
    const sock = dealer;
    try {
      await sock.send([Buffer.alloc(0), encodeKvEventSeq(from)]);
      const batches: { seq: number; payload: Uint8Array }[] = [];
      for (let n = 0; n <= maxReplayBatches; n++) {
        const frames = await sock.receive();
        const body = frames.length === 3 && frames[0]?.byteLength === 0 ? frames.slice(1) : frames;
        const seq = body.length === 2 ? decodeKvEventSeq(body[0] as Uint8Array) : null;
        if (seq === null) break;
        if (seq === KV_EVENT_END_SEQ) return { batches, complete: true };
        if (seq >= from && seq < before) batches.push({ seq, payload: body[1] as Uint8Array });
      }
    } catch (err) {
      if (!closed)
        log.warn({ err: toError(err), endpoint: options.replayEndpoint }, 'kv replay failed');
    }
    // Late frames of an abandoned replay must not answer the next one: start a new socket.
    sock.close();
    dealer = null;
    return { batches: [], complete: false };
  };

  /** Fills [from, before) from the replay; clears when it cannot. */
  const fill = async (from: number, before: number, why: string): Promise<void> => {
    const got = await replay(from, before);
    const batches = got?.batches ?? [];
    // Whole: every seq from `from` on, contiguous, up to `before` (or the end of the buffer).
    const whole =
      got !== null &&
      got.complete &&
      batches.every((b, i) => b.seq === from + i) &&
      (before === Infinity || batches.length === before - from);
    if (!whole) clear(`${why}: replay could not fill from ${from}`);
    for (const { seq, payload } of batches) {
      if (seq <= last.seq) continue;
      stats.replayedBatches++;
      apply(seq, decodeKvEventBatch(payload));
    }
  };

  const run = async (markReady: () => void): Promise<void> => {
    // The engine may have published before we connected: take its history from seq 0.
    await fill(0, Infinity, 'start');
    markReady();
    for await (const frames of sub) {
      if (closed) break;
      const seq = frames.length === 3 ? decodeKvEventSeq(frames[1] as Uint8Array) : null;
      if (seq === null || seq < 0) {
        stats.badMessages++;
        continue;
      }
      const decoded = decodeKvEventBatch(frames[2] as Uint8Array);
      const ts = decoded.ok ? decoded.batch.ts : undefined;
      const verdict = classifyKvEventBatch(last, seq, ts, maxReplayBatches);
      if (verdict.kind === 'duplicate') continue;
      if (verdict.kind === 'restart') {
        stats.restartsSeen++;
        clear(`seq went back from ${last.seq} to ${seq} with a newer timestamp: engine restarted`);
        last = KV_EVENT_START;
        if (seq > 0) await fill(0, seq, 'restart');
      } else if (verdict.kind === 'gap') {
        stats.gaps++;
        await fill(verdict.from, verdict.before, `gap before ${seq}`);
      }
      apply(seq, decoded);
    }
  };

  let markReady = (): void => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const done = run(markReady).catch((err: unknown) => {
    if (!closed)
      log.error({ err: toError(err), endpoint: options.endpoint }, 'kv subscriber stopped');
    markReady();
  });

  return {
    stats,
    ready,
    restarted() {
      last = KV_EVENT_START;
      clear('engine restarted');
    },
    async close() {
      if (closed) return;
      closed = true;
      sub.close();
      dealer?.close();
      await done;
    },
  };
}
