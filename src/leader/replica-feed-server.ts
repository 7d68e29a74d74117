/**
 * The leader's side of the replica feed (`/v1/replicas` on the control port, see
 * src/protocol/replica-messages.ts): authenticates followers with the control token (without one
 * only on a loopback control host, as the control API's mutating routes), sends each a welcome
 * snapshot, then every delta as it is published, serialized once for all. A follower whose send
 * buffer passes `highWaterBytes` is dropped (it reconnects and resyncs) rather than buffered
 * without bound; one that misses a heartbeat is terminated. While this process does not lead it
 * answers 503 Not Leader, which tells a static-mode standby that this replica is alive.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  KvFrame,
  PROTOCOL_VERSION,
  decodeReplicaFollowerMessage,
  encodeReplicaKvFrame,
  type KvMessage,
  type PrefixInsertion,
  type ReplicaNode,
  type ReplicaWelcomeMessage,
} from '../protocol/index.js';
import { mutationAuth, type Logger } from '../shared/index.js';
import { replicaDeltaText, type UnnumberedDelta } from './replica-delta-text.js';
import type { ReplicaFeedMetrics } from './replica-feed-metrics.js';

export interface ReplicaFeedServerOptions {
  /** The control token; empty: followers are accepted only when `listenHost` is loopback. */
  readonly token: string;
  readonly listenHost: string;
  /** This process's identity and epoch while it leads; undefined: answer 503. */
  readonly leading: () => { readonly leader: string; readonly epoch: number } | undefined;
  /** The welcome's content: every node, the recent prefix insertions. */
  readonly snapshot: () => { nodes: ReplicaNode[]; prefixes: PrefixInsertion[] };
  /** A follower's own prefix insertions (applied here, then fanned out by the caller). */
  readonly onFollowerPrefixes: (insertions: readonly PrefixInsertion[], from: object) => void;
  /** A follower joined (e.g. ask agents to resend their KV holdings). */
  readonly onJoined?: () => void;
  readonly log: Logger;
  readonly metrics: ReplicaFeedMetrics;
  /** Drop a follower when this many bytes wait to be sent to it. Default 16 MiB. */
  readonly highWaterBytes?: number;
  /** Most followers at once. Default 64. */
  readonly maxFollowers?: number;
  /** Heartbeat period, ms. Default 5000. */
  readonly pingIntervalMs?: number;
}

/** A follower connected now. */
interface Follower {
  identity: string;
  alive: boolean;
  /** Its hello said it reads `replica.kv` as binary feed frames. */
  kvBinary: boolean;
  /** The connection under its WebSocket (corked while a turn's deltas are written). */
  readonly socket: Duplex;
}

/** Feed sessions: the followers connected now. */
export class ReplicaFeedServer {
  readonly name = 'replica-feed';
  readonly #options: ReplicaFeedServerOptions;
  readonly #wss: WebSocketServer;
  readonly #followers = new Map<WebSocket, Follower>();
  /** Followers' sockets held corked until the end of this event-loop turn (see publish). */
  #corked: Duplex[] = [];
  #seq = 0;

  constructor(options: ReplicaFeedServerOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  }

  /** Followers connected now. */
  get followers(): number {
    return this.#followers.size;
  }

  /** Handles an HTTP upgrade on `/v1/replicas`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, reason: string): void => {
      this.#options.metrics.rejected.inc({ reason });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const auth = mutationAuth(
      req.headers.authorization,
      this.#options.token,
      this.#options.listenHost,
    );
    if (auth === 'unauthorized') return refuse(401, 'Unauthorized');
    if (auth === 'forbidden') return refuse(403, 'Forbidden');
    if (this.#options.leading() === undefined) return refuse(503, 'Not Leader');
    if (this.#followers.size >= (this.#options.maxFollowers ?? 64))
      return refuse(503, 'Too Many Followers');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, socket));
  }

  /**
   * Numbers a delta and sends it to every follower, its author included: the feed is one
   * numbered sequence, so a follower skipped once would see a gap and resync (its own prefix
   * insertions come back to it, which it applies again harmlessly). A function is called only
   * when there are followers (a delta that costs something to build).
   *
   * The deltas of one event-loop turn leave in one write per follower: its socket stays corked
   * until the turn ends. At 1,000 nodes the feed carries a few thousand deltas a second, and a
   * write (a syscall) for each was half of the feed's cost on the leader's main thread in a CPU
   * profile (`bench leader --gateway-followers`, issue #18); a delta waits at most for the turn.
   */
  publish(delta: UnnumberedDelta | (() => UnnumberedDelta)): void {
    this.#seq++;
    if (this.#followers.size === 0) return;
    const built = typeof delta === 'function' ? delta() : delta;
    const text = replicaDeltaText(built, this.#seq);
    this.#send(() => ({ data: text, binary: false }));
    this.#options.metrics.sent.inc({ type: built.type });
  }

  /**
   * An agent's KV batch. A binary frame goes to the followers that read binary feed frames as
   * the agent sent it (replica-kv-frame.ts), decoded for the others only: decoding and
   * serializing each for the feed cost the leader 16–21 µs a batch (issue #18).
   */
  publishKv(node: string, batch: KvMessage | KvFrame): void {
    if (!(batch instanceof KvFrame)) return this.publish({ type: 'replica.kv', node, batch });
    this.#seq++;
    if (this.#followers.size === 0) return;
    const seq = this.#seq;
    let binary: Buffer | undefined;
    let text: string | Buffer | undefined;
    this.#send((f) =>
      f.kvBinary
        ? { data: (binary ??= encodeReplicaKvFrame(seq, node, batch.bytes)), binary: true }
        : {
            data: (text ??= replicaDeltaText(
              { type: 'replica.kv', node, batch: batch.message },
              seq,
            )),
            binary: false,
          },
    );
    this.#options.metrics.sent.inc({ type: 'replica.kv' });
  }

  /** Sends each follower its encoding of one delta, dropping a follower too far behind. */
  #send(encodingFor: (f: Follower) => { data: string | Buffer; binary: boolean }): void {
    const highWater = this.#options.highWaterBytes ?? 16 * 1024 * 1024;
    if (this.#corked.length === 0) this.#corkForTurn();
    for (const [ws, follower] of this.#followers) {
      if (ws.bufferedAmount > highWater) {
        // Dropping it is a resync later; buffering without bound is an out-of-memory now.
        this.#options.metrics.dropped.inc();
        this.#options.log.warn({ follower: follower.identity }, 'slow follower dropped');
        this.#forget(ws);
        ws.terminate();
        continue;
      }
      const { data, binary } = encodingFor(follower);
      ws.send(data, { binary });
    }
  }

  /** Corks every follower's socket and uncorks them once this turn's I/O callbacks are done. */
  #corkForTurn(): void {
    for (const f of this.#followers.values()) {
      f.socket.cork();
      this.#corked.push(f.socket);
    }
    setImmediate(() => {
      const corked = this.#corked;
      this.#corked = [];
      for (const socket of corked) socket.uncork();
    });
  }

  /** Heartbeats until `signal` aborts, then closes every follower. */
  run(signal: AbortSignal): Promise<void> {
    const timer = setInterval(() => {
      for (const [ws, f] of this.#followers) {
        if (!f.alive) {
          this.#forget(ws);
          ws.terminate();
          continue;
        }
        f.alive = false;
        ws.ping();
      }
    }, this.#options.pingIntervalMs ?? 5000);
    return new Promise((resolve) => {
      const stop = (): void => {
        clearInterval(timer);
        for (const ws of this.#followers.keys()) ws.close(1001, 'leader stopping');
        this.#followers.clear();
        this.#options.metrics.followers.set(0);
        resolve();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
  }

  #accept(ws: WebSocket, socket: Duplex): void {
    const leading = this.#options.leading();
    if (leading === undefined) return ws.close(4503, 'not leader');
    const follower: Follower = { identity: 'unknown', alive: true, kvBinary: false, socket };
    this.#followers.set(ws, follower);
    this.#options.metrics.followers.set(this.#followers.size);
    ws.on('pong', () => (follower.alive = true));
    ws.on('close', () => this.#forget(ws));
    ws.on('error', () => this.#forget(ws));
    ws.on('message', (raw: Buffer) => {
      const decoded = decodeReplicaFollowerMessage(raw);
      if (!decoded.ok) {
        this.#options.metrics.invalid.inc();
        this.#options.log.warn({ reason: decoded.reason }, 'bad follower message: closing');
        this.#forget(ws);
        return ws.close(4400, decoded.reason.slice(0, 120));
      }
      const msg = decoded.message;
      if (msg.type === 'replica.hello') {
        follower.identity = msg.identity;
        follower.kvBinary = msg.kvBinary === true;
        this.#options.log.info({ follower: msg.identity }, 'gateway replica joined');
      } else this.#options.onFollowerPrefixes(msg.insertions, ws);
    });
    const { nodes, prefixes } = this.#options.snapshot();
    const welcome: ReplicaWelcomeMessage = {
      v: PROTOCOL_VERSION,
      type: 'replica.welcome',
      leader: leading.leader,
      epoch: leading.epoch,
      seq: this.#seq,
      nodes,
      prefixes,
    };
    ws.send(JSON.stringify(welcome));
    this.#options.onJoined?.();
  }

  #forget(ws: WebSocket): void {
    if (this.#followers.delete(ws)) this.#options.metrics.followers.set(this.#followers.size);
  }
}
