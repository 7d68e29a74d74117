/**
 * The block client's connections: per peer (`ikv://host:port`) and lane, a bounded pool of
 * pipelined connections opened on demand, dead ones dropped; at most `maxPeers` pools, the least
 * recently used closed past that. A pool whose connections all carry their bound of calls answers
 * KV_PEER_BUSY at once rather than queue without bound.
 */
import { AppError } from '../../shared/index.js';
import type { ReceivePool } from '../receive-pool.js';
import { ClientConnection } from './block-client-connection.js';
import { parseIkvUrl } from './ikv-url.js';

/** What the pools bound and how their connections connect (the client's settings). */
export interface ConnectionPoolSettings {
  readonly token: string;
  readonly peer: boolean;
  readonly maxFrameBytes: number;
  readonly connectionsPerPeer: number;
  readonly maxPendingPerConnection: number;
  readonly maxPeers: number;
  readonly connectTimeoutMs: number;
  /** Where replies' bodies are received (shared by every connection). */
  readonly memory: ReceivePool;
}

/** Every peer's connection pools of one block client. */
export class ConnectionPools {
  private readonly pools = new Map<string, ClientConnection[]>();
  private readonly opts: ConnectionPoolSettings;
  private closed = false;

  constructor(settings: ConnectionPoolSettings) {
    this.opts = settings;
  }

  /** The reply memory every connection receives into. */
  get memory(): ReceivePool {
    return this.opts.memory;
  }

  /**
   * The least busy usable connection to `url` in `lane` (bulk calls, or lookups on a pool of
   * their own), opening one while the pool has room.
   */
  connectionTo(url: string, lane: 'bulk' | 'lookup' = 'bulk'): ClientConnection {
    if (this.closed) throw new AppError('KV_PEER_UNAVAILABLE', 'the block client is closed');
    const poolKey = lane === 'bulk' ? url : `lookup:${url}`;
    const pool = (this.pools.get(poolKey) ?? []).filter((c) => c.usable);
    this.pools.delete(poolKey);
    this.pools.set(poolKey, pool); // most recently used last
    if (this.pools.size > this.opts.maxPeers) {
      const [oldest, old] = this.pools.entries().next().value as [string, ClientConnection[]];
      for (const c of old) c.close();
      this.pools.delete(oldest);
    }
    let best = pool.reduce<ClientConnection | undefined>(
      (a, c) => (a === undefined || c.pendingCalls < a.pendingCalls ? c : a),
      undefined,
    );
    if (
      (best === undefined || best.pendingCalls > 0) &&
      pool.length < this.opts.connectionsPerPeer
    ) {
      best = new ClientConnection({
        // Parsed only here: a URL that has a pool was parsed when its first connection opened.
        address: parseIkvUrl(url),
        token: this.opts.token,
        peer: this.opts.peer,
        maxFrameBytes: this.opts.maxFrameBytes,
        connectTimeoutMs: this.opts.connectTimeoutMs,
        memory: this.opts.memory,
      });
      pool.push(best);
    }
    if (best === undefined || best.pendingCalls >= this.opts.maxPendingPerConnection)
      throw new AppError(
        'KV_PEER_BUSY',
        `every connection to ${url} has ${this.opts.maxPendingPerConnection} calls in flight`,
      );
    return best;
  }

  /** Closes every connection (their pending calls fail); later calls fail KV_PEER_UNAVAILABLE. */
  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) for (const c of pool) c.close();
    this.pools.clear();
  }
}
