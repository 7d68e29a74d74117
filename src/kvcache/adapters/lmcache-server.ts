/**
 * The LMCache-compatible listener (`lm://<node>:<port>`): LMCache's remote-server protocol
 * (lmcache-wire.ts) over TCP, serving the agent's block store, so a vLLM with LMCache's connector
 * uses the agent's DRAM as its remote KV store with no infernode code in the engine.
 *
 * LMCache's protocol has no authentication, so the listener binds a node-local address only
 * (127.0.0.1 by default, or the pod/host IP the agent is given) and serves only peers inside the
 * allowed CIDRs (loopback by default, plus the node's pod CIDR when the agent knows it); anyone
 * else is closed at accept, counted. Connections are bounded; per-connection bounds are in
 * lmcache-connection.ts.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger, Registry } from '../../shared/index.js';
import { LmcacheStore, type LmcacheBlockStore } from '../lmcache-store.js';
import type { BlockKey } from '../eviction-policy.js';
import { addressAllowlist, LOOPBACK_CIDRS } from './address-allowlist.js';
import { ignoreSocketError, LmcacheConnection } from './lmcache-connection.js';
import { createLmcacheMetrics, type LmcacheMetrics } from './lmcache-metrics.js';

/** Defaults: 127.0.0.1, 64 connections, 64 MiB frames, 30 s stalls, idle connections kept. */
export const LMCACHE_SERVER_DEFAULTS = {
  host: '127.0.0.1',
  maxConnections: 64,
  maxFrameBytes: 64 * 1024 * 1024,
  stallTimeoutMs: 30_000,
  idleTimeoutMs: 0,
} as const;

/** How the listener is set up. */
export interface LmcacheServerOptions {
  readonly store: LmcacheBlockStore;
  readonly logger: Logger;
  /** Either a registry (metrics are registered on it) or metrics already built. */
  readonly registry?: Registry;
  readonly metrics?: LmcacheMetrics;
  readonly host?: string;
  /** 0 (default): any free port; read `port` after `start`. */
  readonly port?: number;
  /** Peers allowed to connect; default loopback ({@link LOOPBACK_CIDRS}). */
  readonly allowedCidrs?: readonly string[];
  readonly maxConnections?: number;
  /** The largest PUT payload a header may announce; more closes the connection. */
  readonly maxFrameBytes?: number;
  readonly stallTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  /** The LMCache key → store key map (default stringHash52); tests force collisions with it. */
  readonly keyHash?: (key: string) => BlockKey;
}

/** The listener (see the file comment). */
export class LmcacheServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly metrics: LmcacheMetrics;
  private readonly options: LmcacheServerOptions;
  private boundPort = 0;

  constructor(options: LmcacheServerOptions) {
    this.options = options;
    const metrics =
      options.metrics ??
      (options.registry === undefined ? undefined : createLmcacheMetrics(options.registry));
    if (metrics === undefined) throw new TypeError('LmcacheServer needs a registry or metrics');
    this.metrics = metrics;
    const allowlist = addressAllowlist(options.allowedCidrs ?? LOOPBACK_CIDRS);
    const store = new LmcacheStore(options.store, options.keyHash);
    const deps = {
      store,
      maxFrameBytes: options.maxFrameBytes ?? LMCACHE_SERVER_DEFAULTS.maxFrameBytes,
      stallTimeoutMs: options.stallTimeoutMs ?? LMCACHE_SERVER_DEFAULTS.stallTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs ?? LMCACHE_SERVER_DEFAULTS.idleTimeoutMs,
      metrics: this.metrics,
      logger: options.logger,
    };
    const maxConnections = options.maxConnections ?? LMCACHE_SERVER_DEFAULTS.maxConnections;
    this.server = createServer((socket) => {
      if (!allowlist.allows(socket.remoteAddress)) return this.refuse(socket, 'not-allowed');
      if (this.sockets.size >= maxConnections) return this.refuse(socket, 'too-many');
      this.sockets.add(socket);
      this.metrics.connections.set(this.sockets.size);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.metrics.connections.set(this.sockets.size);
      });
      new LmcacheConnection(socket, deps);
    });
  }

  /** The bound port (after `start`). */
  get port(): number {
    return this.boundPort;
  }

  /** The URL LMCache's `remote_url` takes. */
  get url(): string {
    const host = this.options.host ?? LMCACHE_SERVER_DEFAULTS.host;
    return `lm://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  /** Binds and listens; rejects when the address is taken or `signal` aborts first. */
  async start(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen(
        {
          host: this.options.host ?? LMCACHE_SERVER_DEFAULTS.host,
          port: this.options.port ?? 0,
          ...(signal === undefined ? {} : { signal }),
        },
        () => {
          this.server.off('error', onError);
          resolve();
        },
      );
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.server.on('error', (error) =>
      this.options.logger.error({ err: error }, 'LMCache listener error'),
    );
  }

  /** Stops accepting and closes every connection. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private refuse(socket: Socket, reason: 'not-allowed' | 'too-many'): void {
    this.metrics.closed.inc({ reason });
    this.options.logger.warn({ reason, peer: socket.remoteAddress }, 'LMCache connection refused');
    socket.on('error', ignoreSocketError);
    socket.destroy();
  }
}
