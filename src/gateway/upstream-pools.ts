/**
 * Keep-alive connections to engines: one undici Pool per engine origin and TLS setting, owned by
 * the gateway and closed with it. undici rather than node:http's Agent because the gateway's
 * second hop is half of its per-request CPU: in a proxy measured on this machine, undici's
 * dispatch spent ~30 % less CPU per request than `http.request` over a keep-alive Agent
 * (docs/decisions.md, "The gateway's upstream client").
 */
import { Client, Pool, type Dispatcher } from 'undici';
import type { EngineClientOptions } from '../discovery/index.js';

/** How the pools connect. */
export interface UpstreamPoolOptions {
  /** Most open connections per engine (requests beyond wait in the pool's queue). */
  readonly maxSocketsPerEngine: number;
  /** TCP (and TLS) connect bound, ms. */
  readonly connectTimeoutMs: number;
}

/** Pools kept at once; past it the oldest is closed (engines come and go, the map must not grow). */
const MAX_POOLS = 4096;

/** See the file comment. */
export class UpstreamPools {
  readonly #options: UpstreamPoolOptions;
  readonly #pools = new Map<string, Pool>();

  constructor(options: UpstreamPoolOptions) {
    this.#options = options;
  }

  /** The pooled dispatcher for an engine origin (`http://host:port`) and its TLS setting. */
  poolFor(origin: string, client: EngineClientOptions | undefined): Dispatcher {
    const key = client === undefined ? origin : `${origin} ${client.tlsKey}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      if (this.#pools.size >= MAX_POOLS) this.#closeOldest();
      pool = new Pool(origin, {
        connections: this.#options.maxSocketsPerEngine,
        pipelining: 1,
        connect: this.#connectOptions(client),
      });
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /**
   * A connection of its own for one request (the caller closes it after dispatching: undici's
   * `close()` lets queued requests finish first): a retry after a pooled connection was reset
   * must not meet another connection the engine already closed.
   */
  oneOff(origin: string, client: EngineClientOptions | undefined): Client {
    return new Client(origin, { pipelining: 1, connect: this.#connectOptions(client) });
  }

  /** Closes every connection now (the gateway has drained or given up on its requests). */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy().catch(() => undefined)));
  }

  #connectOptions(client: EngineClientOptions | undefined): Record<string, unknown> {
    return { timeout: this.#options.connectTimeoutMs, ...client?.tls };
  }

  #closeOldest(): void {
    for (const [key, pool] of this.#pools) {
      this.#pools.delete(key);
      void pool.close().catch(() => undefined);
      return;
    }
  }
}
