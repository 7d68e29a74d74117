/**
 * The agent's KV side of the leader connection (issue #14): what the leader client hands the KV
 * reporter and the L2 lookup client. Kept apart from the command channel because KV traffic has
 * its own seq, its own resync and no epoch.
 */
import type {
  KvBlockHash,
  KvSourceDelta,
  KvStoreReport,
  KvTier,
  KvLookupMessage,
  KvLookupResultMessage,
  KvMessage,
  KvResyncMessage,
} from '../protocol/index.js';

/** Sends one KV message; false when the connection is down or not keeping up (it was not sent). */
export type KvSend = (message: KvMessage | KvLookupMessage) => boolean;

/** Where the leader client delivers KV events of the connection. */
export interface KvChannel {
  /** A leader welcomed this agent: start a new kv seq with a `reset` and send everything held. */
  welcomed(send: KvSend): void;
  /** The leader sent `kv.resync` or answered a lookup. */
  received(message: KvResyncMessage | KvLookupResultMessage): void;
  /** The socket closed: pending lookups fail at once; deltas wait (bounded) for the next welcome. */
  disconnected(): void;
  /** The leader asked for KV batches at most every `flushIntervalMs` (0: the agent's own). */
  paced?(flushIntervalMs: number): void;
}

/** One KvChannel that hands every event to each of `channels` (the reporter and the lookups). */
export function fanOutKvChannel(...channels: readonly KvChannel[]): KvChannel {
  return {
    welcomed: (send) => channels.forEach((c) => c.welcomed(send)),
    received: (message) => channels.forEach((c) => c.received(message)),
    disconnected: () => channels.forEach((c) => c.disconnected()),
    paced: (ms) => channels.forEach((c) => c.paced?.(ms)),
  };
}

/** A source of block holdings on the node: one engine's GPU cache, or the agent's L1 store. */
export interface KvHoldingsSource {
  readonly tier: KvTier;
  /** The engine, for tier `gpu`. */
  readonly engineId?: string;
  /** Every block it holds now; read after each welcome and `kv.resync` to rebuild the index. */
  holdings(): Iterable<KvBlockHash>;
}

/**
 * What the KV reporter takes from the node's block sources (engine KV event subscribers, the
 * L1 store): changes to batch to the leader, sources to resend in full after a reset, and the
 * store's state. Implementations bound what they buffer and never block the caller.
 */
export interface KvDeltaSink {
  /** A change of one source. */
  record(delta: KvSourceDelta): void;
  /** Adds a source whose holdings are resent after every reset; returns its removal. */
  addSource(source: KvHoldingsSource): () => void;
  /** The store's reach and fill, sent with the next message. */
  storeChanged(report: KvStoreReport): void;
}
