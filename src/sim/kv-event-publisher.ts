/**
 * The simulator's KV event publisher over ZeroMQ, as vLLM's ZmqEventPublisher: a PUB socket
 * sending (topic, seq as 8 bytes big-endian, msgpack batch) with seq from 0, a ring of the last
 * `buffer_steps` batches, and a ROUTER replay socket: a request carrying a start seq (8 bytes
 * big-endian, after an optional empty delimiter) is answered with every buffered (seq, payload)
 * from there, then (-1, b""). I/O only; the events come from kv-event-recorder.ts.
 */
import { Publisher, Router } from 'zeromq';
import {
  KV_EVENT_END_SEQ,
  decodeKvEventSeq,
  encodeKvEventBatch,
  encodeKvEventSeq,
  type KvCacheEvent,
} from '../kvcache/index.js';
import { toError, type Logger } from '../shared/index.js';
import type { KvEventsConfig } from './kv-events-config.js';

/** A running publisher. */
export interface KvEventPublisher {
  /** The PUB socket's endpoint as bound (`tcp://0.0.0.0:5557`) or connected. */
  readonly endpoint: string;
  /** The replay socket's bound endpoint, or null. */
  readonly replayEndpoint: string | null;
  /** Sends one step's events as the next batch; nothing is sent for no events. */
  publish(events: readonly KvCacheEvent[]): void;
  /** Batches published so far (the next seq). */
  readonly published: number;
  /** Batches dropped because the send queue was full. */
  readonly dropped: number;
  /** Closes both sockets. Idempotent. */
  close(): Promise<void>;
}

/** Bound on one replay send, ms: a client that stopped reading must not stall the replay loop. */
const REPLAY_SEND_TIMEOUT_MS = 1000;

/** vLLM binds when the endpoint has a wildcard or is local (ipc/inproc), and connects otherwise. */
const shouldBind = (endpoint: string): boolean =>
  endpoint.includes('*') ||
  endpoint.includes('::') ||
  endpoint.startsWith('ipc://') ||
  endpoint.startsWith('inproc://');

/** Opens the sockets; rejects when the endpoint cannot be bound. */
export async function startKvEventPublisher(
  config: KvEventsConfig,
  log: Logger,
): Promise<KvEventPublisher> {
  const pub = new Publisher({ sendHighWaterMark: config.hwm, linger: 0 });
  let router: Router | null = null;
  try {
    if (shouldBind(config.endpoint)) await pub.bind(config.endpoint);
    else pub.connect(config.endpoint);
    if (config.replayEndpoint !== null) {
      router = new Router({ linger: 0, sendTimeout: REPLAY_SEND_TIMEOUT_MS });
      await router.bind(config.replayEndpoint);
    }
  } catch (err) {
    pub.close();
    router?.close();
    throw err;
  }
  const topic = Buffer.from(config.topic, 'utf8');
  const ring = new Array<{ seq: number; payload: Uint8Array } | undefined>(config.bufferSteps);
  let nextSeq = 0;
  let dropped = 0;
  const queue: { seq: number; payload: Uint8Array }[] = [];
  let draining = false;
  let closed = false;

  const drain = async (): Promise<void> => {
    draining = true;
    while (queue.length > 0 && !closed) {
      const item = queue.shift() as { seq: number; payload: Uint8Array };
      try {
        // PUB never blocks: past the high-water mark ZeroMQ drops, as it does for vLLM.
        await pub.send([topic, encodeKvEventSeq(item.seq), item.payload]);
      } catch (err) {
        log.warn({ err: toError(err), seq: item.seq }, 'kv event publish failed');
      }
    }
    draining = false;
  };

  const serveReplay = async (sock: Router): Promise<void> => {
    for await (const frames of sock) {
      // [identity, start] from a DEALER, [identity, "", start] from a REQ.
      const start = frames.length === 2 || frames.length === 3 ? frames[frames.length - 1] : null;
      const startSeq = start === null || start === undefined ? null : decodeKvEventSeq(start);
      if (startSeq === null) {
        log.warn({ frames: frames.length }, 'invalid kv event replay request');
        continue;
      }
      const route = frames.slice(0, frames.length - 1);
      try {
        for (let i = Math.max(0, nextSeq - config.bufferSteps); i < nextSeq; i++) {
          const item = ring[i % config.bufferSteps];
          if (item !== undefined && item.seq >= startSeq)
            await sock.send([...route, encodeKvEventSeq(item.seq), item.payload]);
        }
        await sock.send([...route, encodeKvEventSeq(KV_EVENT_END_SEQ), Buffer.alloc(0)]);
      } catch (err) {
        if (!closed) log.warn({ err: toError(err) }, 'kv event replay failed');
      }
    }
  };
  const replayDone =
    router === null ? Promise.resolve() : serveReplay(router).catch(() => undefined);

  return {
    endpoint: pub.lastEndpoint ?? config.endpoint,
    replayEndpoint: router === null ? null : (router.lastEndpoint ?? config.replayEndpoint),
    get published() {
      return nextSeq;
    },
    get dropped() {
      return dropped;
    },
    publish(events) {
      if (closed || events.length === 0) return;
      if (queue.length >= config.maxQueueSize) {
        // The batch still takes its seq (and empties its replay slot): subscribers see a gap
        // the replay cannot fill, and treat the engine's holdings as unknown.
        ring[nextSeq % config.bufferSteps] = undefined;
        nextSeq++;
        dropped++;
        return;
      }
      const item = {
        seq: nextSeq,
        payload: encodeKvEventBatch({ ts: Date.now() / 1000, events }),
      };
      ring[nextSeq % config.bufferSteps] = item;
      nextSeq++;
      queue.push(item);
      if (!draining) void drain();
    },
    async close() {
      if (closed) return;
      closed = true;
      pub.close();
      router?.close();
      await replayDone;
    },
  };
}
