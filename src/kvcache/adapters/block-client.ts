/**
 * The native block service's client: a bounded pool of pipelined connections per peer
 * (`ikv://host:port`), opened on demand and replaced when one dies, and batch helpers that split
 * big batches into frames and ask again for blocks a get reply left out (its frame was full).
 * Every call takes a timeout and an AbortSignal; a call on a pool whose connections all carry
 * their bound of calls fails at once with KV_PEER_BUSY rather than queue without bound. The pools
 * are block-client-pools.ts.
 */
import { AppError } from '../../shared/index.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_KEYS_PER_FRAME,
  FRAME_HEADER_BYTES,
  type BlockReply,
  type PutResult,
  type WireBlock,
} from '../block-wire-format.js';
import type { BlockKey } from '../eviction-policy.js';
import type { BlockCall } from './block-client-connection.js';
import { ReceivePool } from '../receive-pool.js';
import { payloadParts } from '../received-bytes.js';
import { ConnectionPools } from './block-client-pools.js';

/** How a BlockClient connects and what it bounds. */
export interface BlockClientOptions {
  /** The cluster-wide KV token (empty for a service without auth). */
  readonly token: string;
  /** Present as a peer agent: served from the peer's L1 only. Default false (a local client). */
  readonly peer?: boolean;
  /** Must be ≥ the servers' bound; default 65 MiB. */
  readonly maxFrameBytes?: number;
  /** Connections per peer, default 2. */
  readonly connectionsPerPeer?: number;
  /** Calls in flight per connection, default 64. */
  readonly maxPendingPerConnection?: number;
  /** Peers with open pools; the least recently used is closed past it. Default 64. */
  readonly maxPeers?: number;
  /** Default timeout of one call, ms (5000). */
  readonly callTimeoutMs?: number;
  /** Default 2000 ms. */
  readonly connectTimeoutMs?: number;
  /** Reply memory kept for reuse once callers recycle it (receive-pool.ts); default 2 frames. */
  readonly maxPooledBytes?: number;
}

/** Per-call bounds. */
export interface BlockCallOptions {
  readonly signal?: AbortSignal;
  /** Bound of each frame's round trip, ms; default the client's callTimeoutMs. */
  readonly timeoutMs?: number;
}

/** The pooled, pipelining block client (see the file comment). */
export class BlockClient {
  private readonly opts: Required<BlockClientOptions>;
  private readonly connections: ConnectionPools;

  constructor(options: BlockClientOptions) {
    this.opts = {
      peer: false,
      maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      connectionsPerPeer: 2,
      maxPendingPerConnection: 64,
      maxPeers: 64,
      callTimeoutMs: 5000,
      connectTimeoutMs: 2000,
      maxPooledBytes: 2 * (options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
      ...options,
    };
    this.connections = new ConnectionPools({
      ...this.opts,
      memory: new ReceivePool({ maxPooledBytes: this.opts.maxPooledBytes }),
    });
  }

  /** Sends one request to `url` and returns its reply; error replies reject (KV_PEER_REFUSED). */
  async call(url: string, call: BlockCall, options: BlockCallOptions = {}): Promise<BlockReply> {
    const connection = this.connections.connectionTo(url);
    return connection.call(call, options.timeoutMs ?? this.opts.callTimeoutMs, options.signal);
  }

  /** Stores `blocks`, split into frames; results in order (`too-large` for one past a frame). */
  async putMany(
    url: string,
    blocks: readonly WireBlock[],
    options: BlockCallOptions = {},
  ): Promise<PutResult[]> {
    const results: PutResult[] = new Array<PutResult>(blocks.length).fill('too-large');
    const limit = this.opts.maxFrameBytes - FRAME_HEADER_BYTES - 4;
    let batch: number[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const sent = batch;
      batch = [];
      bytes = 0;
      const reply = await this.call(
        url,
        { op: 'put', blocks: sent.map((i) => blocks[i] as WireBlock) },
        options,
      );
      if (reply.op !== 'put' || reply.results.length !== sent.length)
        throw unexpected(reply, 'put');
      sent.forEach((i, j) => (results[i] = reply.results[j] as PutResult));
    };
    for (const [i, block] of blocks.entries()) {
      const size = 12 + block.bytes.length;
      if (size > limit) continue;
      if (bytes + size > limit || batch.length >= DEFAULT_MAX_KEYS_PER_FRAME) await flush();
      batch.push(i);
      bytes += size;
    }
    await flush();
    return results;
  }

  /**
   * The blocks of `keys` the service holds, by key. Blocks a reply left out (its frame was full)
   * are asked for again until a round brings nothing new.
   */
  async getMany(
    url: string,
    keys: readonly BlockKey[],
    options: BlockCallOptions = {},
  ): Promise<Map<BlockKey, Uint8Array>> {
    const found = new Map<BlockKey, Uint8Array>();
    let ask = [...keys];
    while (ask.length > 0) {
      const omitted: BlockKey[] = [];
      for (const part of chunks(ask, DEFAULT_MAX_KEYS_PER_FRAME)) {
        const reply = await this.call(url, { op: 'get', keys: part }, options);
        if (reply.op !== 'get' || reply.blocks.length !== part.length)
          throw unexpected(reply, 'get');
        for (const b of reply.blocks) {
          if (b.status === 'hit') found.set(b.key, b.bytes);
          else if (b.status === 'omitted') omitted.push(b.key);
        }
      }
      // No progress: the blocks left out cannot fit one frame (a smaller bound here); a miss.
      if (omitted.length === ask.length) break;
      ask = omitted;
    }
    return found;
  }

  /** Whether each key is held. */
  async exists(
    url: string,
    keys: readonly BlockKey[],
    options: BlockCallOptions = {},
  ): Promise<boolean[]> {
    return this.flags(url, 'exists', keys, options);
  }

  /** Deletes each key; true where it was held. */
  async delete(
    url: string,
    keys: readonly BlockKey[],
    options: BlockCallOptions = {},
  ): Promise<boolean[]> {
    return this.flags(url, 'delete', keys, options);
  }

  /** How many leading blocks of the chain `keys` the service holds. */
  async longestPrefix(
    url: string,
    keys: readonly BlockKey[],
    options: BlockCallOptions = {},
  ): Promise<number> {
    let held = 0;
    for (const part of chunks(keys, DEFAULT_MAX_KEYS_PER_FRAME)) {
      const reply = await this.call(url, { op: 'longest-prefix', keys: part }, options);
      if (reply.op !== 'longest-prefix' || reply.held > part.length)
        throw unexpected(reply, 'longest-prefix');
      held += reply.held;
      if (reply.held < part.length) break;
    }
    return held;
  }

  /**
   * The longest leading run of the chain `keys` the service holds, with its bytes, in one round
   * trip (at most one frame of keys). `l2WaitMs` > 0 lets the service ask peers for what follows
   * its local run within that many ms. Goes on its own connection (the `lookup` lane), so a
   * latency-bound load never waits behind bulk puts on the same socket.
   */
  async getPrefix(
    url: string,
    keys: readonly BlockKey[],
    options: BlockCallOptions & { readonly l2WaitMs?: number } = {},
  ): Promise<WireBlock[]> {
    const chain = keys.slice(0, DEFAULT_MAX_KEYS_PER_FRAME);
    const l2WaitMs = Math.max(0, Math.min(0xffffffff, Math.floor(options.l2WaitMs ?? 0)));
    const connection = this.connections.connectionTo(url, 'lookup');
    const reply = await connection.call(
      { op: 'get-prefix', l2WaitMs, keys: chain },
      options.timeoutMs ?? this.opts.callTimeoutMs,
      options.signal,
    );
    if (reply.op !== 'get-prefix' || reply.blocks.length > chain.length)
      throw unexpected(reply, 'get-prefix');
    // A run is the chain's leading keys in order; anything else is a server fault.
    reply.blocks.forEach((b, i) => {
      if (b.key !== chain[i]) throw unexpected(reply, 'get-prefix');
    });
    return [...reply.blocks];
  }

  /**
   * Hands the memory of received blocks back for the next replies (receive-pool.ts), for a caller
   * that has copied them on. The blocks of one reply share that memory: recycle only when done
   * with all of them, and read none of them afterwards.
   */
  recycle(blocks: Iterable<{ readonly bytes: Uint8Array }>): void {
    for (const block of blocks) this.connections.memory.give(payloadParts(block));
  }

  /** Closes every connection; pending calls fail with KV_PEER_UNAVAILABLE. */
  close(): void {
    this.connections.close();
  }

  private async flags(
    url: string,
    op: 'exists' | 'delete',
    keys: readonly BlockKey[],
    options: BlockCallOptions,
  ): Promise<boolean[]> {
    const out: boolean[] = [];
    for (const part of chunks(keys, DEFAULT_MAX_KEYS_PER_FRAME)) {
      const reply = await this.call(url, { op, keys: part }, options);
      if (reply.op !== op || reply.flags.length !== part.length) throw unexpected(reply, op);
      out.push(...reply.flags);
    }
    return out;
  }
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
  if (items.length === 0) yield [];
}

function unexpected(reply: BlockReply, op: string): AppError {
  return new AppError('KV_PEER_PROTOCOL', `a ${reply.op} reply does not answer a ${op} request`);
}
