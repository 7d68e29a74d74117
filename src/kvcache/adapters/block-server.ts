/**
 * The agent's native KV block service (`ikv://host:port`): a node:net server serving one L1
 * BlockStore to the node's engines and, when shared, to peer agents (their L2). The protocol is
 * the framed codec of block-wire-format.ts; each connection is a BlockConnection (auth first,
 * bounded queue and replies, timeouts). Connections past `maxConnections` get a `busy` error
 * reply and are closed, counted as `too-many-connections`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  AppError,
  isLoopbackHost,
  type Logger,
  type Registry,
  type Runnable,
} from '../../shared/index.js';
import type { BlockMissSource } from '../block-requests.js';
import type { BlockStore } from '../block-store.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../block-wire-format.js';
import { encodeReply } from '../block-wire.js';
import { ReceivePool } from '../receive-pool.js';
import { BlockConnection } from './block-connection.js';
import { tokenDigest, type ConnectionContext } from './block-connection-context.js';
import { BlockServiceMetrics } from './block-service-metrics.js';

/** How the block service listens and what it bounds. */
export interface BlockServerOptions {
  readonly store: BlockStore;
  readonly host: string;
  /** 0: any free port (tests); the agent's default is 9300. */
  readonly port: number;
  /** The cluster-wide KV token; empty only on a loopback host (no auth then). */
  readonly token: string;
  /** Serve peer agents' fetches (auth with the peer flag); default true. */
  readonly servePeers?: boolean;
  /** Where a local client's L1 misses are looked for (the agent's L2); none: L1 only. */
  readonly misses?: BlockMissSource;
  readonly maxFrameBytes?: number;
  /** Default 256. */
  readonly maxConnections?: number;
  /** L2 requests pending per connection before it stops being read; default 8. */
  readonly maxInFlightPerConnection?: number;
  /** Unsent reply bytes per connection above which it stops being read; default 8 MiB. */
  readonly writeHighWaterBytes?: number;
  /** A connection with no traffic for this long is closed; default 300 000 ms. */
  readonly idleTimeoutMs?: number;
  /** A frame half-received for this long closes its connection; default 30 000 ms. */
  readonly frameTimeoutMs?: number;
  /** Bound of one L2 answer (lookup + fetch); default 2000 ms. */
  readonly missTimeoutMs?: number;
  /** Put memory kept for the next frames once stored (receive-pool.ts); default 2 frames. */
  readonly maxPooledBytes?: number;
  readonly registry: Registry;
  readonly log: Logger;
}

/** The block service as a Runnable; `listen()` binds early (tests, the URL to advertise). */
export class BlockServer implements Runnable {
  readonly name = 'kv-block-server';
  readonly metrics: BlockServiceMetrics;
  private readonly server: Server;
  private readonly ctx: ConnectionContext;
  private readonly maxConnections: number;
  private readonly connections = new Set<BlockConnection>();
  private readonly options: BlockServerOptions;
  private listening: Promise<number> | undefined;
  private boundPort = 0;

  /** Throws CONFIG_INVALID for an empty token on a non-loopback host. */
  constructor(options: BlockServerOptions) {
    if (options.token === '' && !isLoopbackHost(options.host))
      throw new AppError(
        'CONFIG_INVALID',
        `kv.token is required when the block service listens on ${options.host} (not loopback)`,
      );
    this.options = options;
    this.metrics = new BlockServiceMetrics(options.registry);
    this.metrics.watchStore(options.store);
    this.metrics.watchServer(
      () => this.connections.size,
      () => this.queuedBytes(),
    );
    this.maxConnections = options.maxConnections ?? 256;
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.ctx = {
      store: options.store,
      tokenDigest: tokenDigest(options.token),
      servePeers: options.servePeers ?? true,
      misses: options.misses,
      maxFrameBytes,
      memory: new ReceivePool({ maxPooledBytes: options.maxPooledBytes ?? 2 * maxFrameBytes }),
      maxInFlight: options.maxInFlightPerConnection ?? 8,
      writeHighWaterBytes: options.writeHighWaterBytes ?? 8 * 1024 * 1024,
      idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
      frameTimeoutMs: options.frameTimeoutMs ?? 30_000,
      missTimeoutMs: options.missTimeoutMs ?? 2000,
      metrics: this.metrics,
      log: options.log,
    };
    this.metrics.watchReceivePool(this.ctx.memory);
    this.server = createServer((socket) => this.accept(socket));
  }

  /** The bound port (0 until listening). */
  get port(): number {
    return this.boundPort;
  }

  /** Unsent reply bytes over all connections (the `infernode_kv_queued_bytes` gauge). */
  queuedBytes(): number {
    let total = 0;
    for (const c of this.connections) total += c.queuedBytes;
    return total;
  }

  /** Binds `host:port`; resolves to the bound port. Idempotent. */
  listen(): Promise<number> {
    this.listening ??= new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        this.boundPort = typeof address === 'object' && address !== null ? address.port : 0;
        this.options.log.info(
          { host: this.options.host, port: this.boundPort },
          'kv block service listening',
        );
        resolve(this.boundPort);
      });
    });
    return this.listening;
  }

  /** Serves until `signal` aborts, then closes every connection. */
  async run(signal: AbortSignal): Promise<void> {
    await this.listen();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await this.close();
  }

  /**
   * Starts or stops serving peer agents (kv.configure's `shared`). Off: peers' connections are
   * closed (counted as `unshared`) and new peer auths refused; local engines are unaffected.
   */
  setServePeers(on: boolean): void {
    this.ctx.servePeers = on;
    if (!on) for (const c of this.connections) if (c.isPeer) c.fail('unshared');
  }

  /** Stops listening and closes every connection (counted as `shutdown`). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const gone = [...this.connections].map((c) => {
      c.fail('shutdown');
      return c.closed;
    });
    await Promise.all([closed, ...gone]);
  }

  private accept(socket: Socket): void {
    if (this.connections.size >= this.maxConnections) {
      this.metrics.closed.inc({ reason: 'too-many-connections' });
      socket.on('error', () => undefined);
      const frame = encodeReply({
        op: 'error',
        id: 0,
        code: 'busy',
        message: `the block service has its ${this.maxConnections} connections`,
      });
      socket.end(Buffer.concat(frame));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    const connection = new BlockConnection(socket, this.ctx);
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }
}
