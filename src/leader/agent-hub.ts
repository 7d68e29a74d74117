/**
 * The agent hub: the WebSocket endpoint `/v1/agents` that every node agent reports to. It asks
 * the AgentAuthenticator which node the bearer credential may speak for before upgrading, and
 * refuses a `hello` for any other node (without touching that node's real session). It validates
 * every message, tracks seq numbers (asking for a resync on a gap), pings every interval and
 * declares an agent lost after 3 missed pongs.
 * Everything it learns goes to the ClusterStateStore, the single writer.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  CLOSE_CODES,
  KV_BINARY_FEATURE,
  PACE_FEATURE,
  PROTOCOL_VERSION,
  decodeAgentMessage,
  decodeKvBinary,
  type AgentMessage,
  type Decoded,
  type LeaderMessage,
} from '../protocol/index.js';
import { RoundRobinSlices } from '../shared/index.js';
import { AgentHubMetrics } from './agent-hub-metrics.js';
import { UNPACED, type AgentPace } from './agent-pace.js';
import { authenticateWithin, bearerCredential } from './agent-authenticator.js';
import type { AgentHubOptions, AgentSession } from './agent-hub-options.js';

export type { AgentHubOptions } from './agent-hub-options.js';

/** Pings go out in this many slices per interval, so no turn pings every agent (1,000: ~18 ms). */
const PING_SLICES = 10;

export class AgentHub {
  readonly name = 'agent-hub';
  readonly #options: AgentHubOptions;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<WebSocket, AgentSession>();
  readonly #pings = new RoundRobinSlices(this.#sessions, PING_SLICES);
  readonly #byNode = new Map<string, WebSocket>();
  readonly #metrics: AgentHubMetrics;
  #pingTimer: NodeJS.Timeout | undefined;
  #pace: AgentPace = UNPACED;
  #authenticating = 0;

  constructor(options: AgentHubOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes ?? 4 * 1024 * 1024,
    });
    this.#metrics = new AgentHubMetrics(options.registry);
  }

  /**
   * Sends a message to the node's connected agent (the command client's transport); false when
   * none is connected (after its hello) or its socket is not open.
   */
  sendTo(node: string, message: LeaderMessage): boolean {
    const ws = this.#byNode.get(node);
    if (ws?.readyState !== WebSocket.OPEN) return false;
    this.#send(ws, message);
    return true;
  }

  /**
   * Handles an HTTP upgrade on `/v1/agents`; refuses a missing or bad credential before the
   * WebSocket exists. Reasons counted: Unauthorized, Auth Unavailable, Not Leader, Too Many Agents.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, reason: string): void => {
      this.#metrics.rejected.inc({ reason });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const credential = bearerCredential(req.headers.authorization);
    if (credential === undefined) return refuse(401, 'Unauthorized');
    if (this.#options.identity() === undefined) return refuse(503, 'Not Leader');
    if (this.#sessions.size + this.#authenticating >= (this.#options.maxAgents ?? 5000))
      return refuse(503, 'Too Many Agents');
    this.#authenticating++;
    void authenticateWithin(
      this.#options.authenticator,
      credential,
      this.#options.authTimeoutMs ?? 5000,
    ).then((result) => {
      this.#authenticating--;
      if (socket.destroyed) return;
      if (!result.ok) {
        this.#options.log.warn({ reason: result.reason, detail: result.detail }, 'agent refused');
        return result.reason === 'unauthorized'
          ? refuse(401, 'Unauthorized')
          : refuse(503, 'Auth Unavailable');
      }
      if (this.#options.identity() === undefined) return refuse(503, 'Not Leader');
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, result.node));
    });
  }

  /** Starts heartbeats; on abort closes every agent socket with a close frame. */
  run(signal: AbortSignal): Promise<void> {
    const interval = this.#options.pingIntervalMs ?? 1000;
    this.#pingTimer = setInterval(() => this.#heartbeat(), interval / PING_SLICES);
    return new Promise((resolve) => {
      signal.addEventListener(
        'abort',
        () => {
          clearInterval(this.#pingTimer);
          for (const ws of this.#sessions.keys()) ws.close(1001, 'leader stopping');
          setTimeout(() => {
            for (const ws of this.#sessions.keys()) ws.terminate();
            this.#wss.close();
            resolve();
          }, 200).unref();
        },
        { once: true },
      );
    });
  }

  #accept(ws: WebSocket, identity: string): void {
    const session: AgentSession = {
      identity,
      node: undefined,
      expectSeq: 0,
      awaitingResync: false,
      missedPongs: 0,
      paced: false,
      kvBinary: false,
    };
    this.#sessions.set(ws, session);
    const helloTimer = setTimeout(() => {
      if (session.node === undefined) this.#reject(ws, 'hello-timeout', 'no hello in time');
    }, this.#options.helloTimeoutMs ?? 5000);
    ws.on('pong', () => (session.missedPongs = 0));
    ws.on('message', (data: Buffer, isBinary) => {
      // Only a session that opted in (after its hello) may send binary, and only `kv`.
      if (isBinary && !session.kvBinary)
        return this.#reject(ws, 'binary', 'binary frames are not part of protocol v1');
      this.#onMessage(ws, session, isBinary ? this.#decodeKvFrame(data) : decodeAgentMessage(data));
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      this.#sessions.delete(ws);
      if (session.node !== undefined && this.#byNode.get(session.node) === ws) {
        this.#byNode.delete(session.node);
        this.#options.store.markAgentLost(session.node);
        this.#options.kv?.agentGone(session.node);
        this.#options.log.warn({ node: session.node }, 'agent disconnected');
      }
      this.#metrics.connected.set(this.#byNode.size);
    });
    ws.on('error', (err) => this.#options.log.debug({ err }, 'agent socket error'));
  }

  #decodeKvFrame(data: Buffer): Decoded<AgentMessage> {
    const decoded = decodeKvBinary(data);
    if (decoded.ok) this.#metrics.kvBinaryFrames.inc();
    return decoded;
  }

  #onMessage(ws: WebSocket, session: AgentSession, decoded: Decoded<AgentMessage>): void {
    if (!decoded.ok) {
      const code = decoded.reason.startsWith('protocol version')
        ? CLOSE_CODES.versionMismatch
        : CLOSE_CODES.invalidMessage;
      return this.#reject(
        ws,
        code === CLOSE_CODES.versionMismatch ? 'version' : 'invalid',
        decoded.reason,
        code,
      );
    }
    const msg = decoded.message;
    this.#metrics.received.inc({ type: msg.type });
    if (msg.type === 'hello') {
      // Before anything else: a hello for another node must not replace that node's session.
      if (msg.node !== session.identity)
        return this.#reject(
          ws,
          'node-mismatch',
          `credential is for node ${session.identity}, not ${msg.node}`,
          CLOSE_CODES.unauthorized,
        );
      if (session.node !== undefined && session.node !== msg.node)
        return this.#reject(ws, 'invalid', 'node name changed');
      const previous = this.#byNode.get(msg.node);
      if (previous !== undefined && previous !== ws)
        previous.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
      if (!this.#options.store.applySnapshot(msg.node, msg.agentVersion, msg.snapshot))
        return this.#reject(ws, 'capacity', 'too many nodes');
      const first = session.node === undefined;
      session.node = msg.node;
      session.expectSeq = msg.seq + 1;
      session.awaitingResync = false;
      this.#byNode.set(msg.node, ws);
      this.#metrics.connected.set(this.#byNode.size);
      const who = this.#options.identity();
      session.paced = msg.features?.includes(PACE_FEATURE) === true;
      const kvBinary = this.#options.kvBinary ?? true;
      session.kvBinary = kvBinary && msg.features?.includes(KV_BINARY_FEATURE) === true;
      if (first && who !== undefined)
        this.#send(ws, {
          v: PROTOCOL_VERSION,
          type: 'welcome',
          ...who,
          ...(kvBinary ? { features: [KV_BINARY_FEATURE] } : {}),
        });
      if (first && session.paced && this.#pace.stateIntervalMs + this.#pace.kvFlushIntervalMs > 0)
        this.#send(ws, { v: PROTOCOL_VERSION, type: 'pace', ...this.#pace });
      if (first)
        this.#options.log.info(
          { node: msg.node, engines: msg.snapshot.engines.length },
          'agent connected',
        );
      // After the welcome, so the agent knows the epoch before any command resent to it.
      if (first) this.#options.commands?.agentHello(msg.node);
      return;
    }
    if (session.node === undefined) return this.#reject(ws, 'invalid', 'state before hello');
    if (msg.type === 'progress' || msg.type === 'result')
      return this.#options.commands?.agentMessage(session.node, msg);
    if (msg.type === 'kv' || msg.type === 'kv.lookup')
      return this.#options.kv?.agentMessage(session.node, msg, (answer) => {
        if (ws.readyState !== WebSocket.OPEN) return false;
        this.#send(ws, answer);
        return true;
      });
    if (session.awaitingResync) return;
    if (msg.seq !== session.expectSeq) {
      session.awaitingResync = true;
      this.#options.log.warn(
        { node: session.node, got: msg.seq, want: session.expectSeq },
        'seq gap: asking for resync',
      );
      this.#send(ws, {
        v: PROTOCOL_VERSION,
        type: 'resync',
        reason: `expected seq ${session.expectSeq}, got ${msg.seq}`,
      });
      return;
    }
    session.expectSeq = msg.seq + 1;
    this.#options.store.applyDelta(session.node, msg);
  }

  /** Asks every agent that understands it to report at this pace (see pace-messages.ts). */
  pace(pace: AgentPace): void {
    this.#pace = pace;
    const message = JSON.stringify({ v: PROTOCOL_VERSION, type: 'pace', ...pace });
    for (const [ws, session] of this.#sessions) if (session.paced) ws.send(message);
  }

  /** Pings the next slice of agents: each is pinged once per ping interval. */
  #heartbeat(): void {
    for (const [ws, session] of this.#pings.next()) {
      if (session.missedPongs >= 3) {
        this.#options.log.warn({ node: session.node }, 'agent missed 3 heartbeats: lost');
        ws.terminate();
        continue;
      }
      session.missedPongs++;
      ws.ping();
    }
  }

  #send(ws: WebSocket, message: LeaderMessage): void {
    ws.send(JSON.stringify(message));
  }

  #reject(
    ws: WebSocket,
    reason: string,
    detail: string,
    code: number = CLOSE_CODES.invalidMessage,
  ): void {
    this.#metrics.rejected.inc({ reason });
    this.#options.log.warn({ reason, detail }, 'closing agent connection');
    ws.close(code, detail.slice(0, 120));
  }
}
