/**
 * The agent hub: the WebSocket endpoint `/v1/agents` that every node agent reports to. It asks
 * the AgentAuthenticator which node the bearer credential may speak for before upgrading
 * (agent-admission.ts), and refuses a `hello` for any other node (without touching that node's
 * real session, agent-hello.ts). It validates every message, tracks seq numbers (asking for a resync on a gap),
 * and has every connection pinged each interval, an agent lost after 3 missed pongs
 * (agent-heartbeat.ts).
 * Everything it learns goes to the ClusterStateStore, the single writer.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  checkKvBinary,
  decodeAgentMessage,
  type AgentMessage,
  type Decoded,
  type KvFrame,
  type KvLookupMessage,
  type KvMessage,
  type LeaderMessage,
} from '../protocol/index.js';
import { AgentHubMetrics } from './agent-hub-metrics.js';
import { UNPACED, type AgentPace } from './agent-pace.js';
import { AgentAdmission } from './agent-admission.js';
import { AgentHeartbeat } from './agent-heartbeat.js';
import { keepJsonText } from './agent-json-text.js';
import { handleHello, type HelloContext } from './agent-hello.js';
import type { AgentHubOptions, AgentSession } from './agent-hub-options.js';
import { sendInTurns } from './send-in-turns.js';

/** How many `pace` messages one event-loop turn sends, by count and time (send-in-turns.ts). */
const PACE_SEND_TURN = { perTurn: 100, budgetMs: 2 };

export type { AgentHubOptions } from './agent-hub-options.js';

export class AgentHub {
  readonly name = 'agent-hub';
  readonly #options: AgentHubOptions;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Map<WebSocket, AgentSession>();
  readonly #byNode = new Map<string, WebSocket>();
  readonly #metrics: AgentHubMetrics;
  readonly #admission: AgentAdmission;
  readonly #heartbeat: AgentHeartbeat;
  #pace: AgentPace = UNPACED;
  /** Stops the sends of the last pace change still going out. */
  #stopPacing = (): void => undefined;
  /** Main-thread time spent handling agents' messages since the pacer last asked, ms. */
  #messageBusyMs = 0;
  /** What a hello touches here (agent-hello.ts), less the pace, which changes. */
  readonly #helloContext: Omit<HelloContext, 'pace'>;

  constructor(options: AgentHubOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes ?? 4 * 1024 * 1024,
    });
    this.#metrics = new AgentHubMetrics(options.registry);
    this.#admission = new AgentAdmission(options, this.#metrics, () => this.#sessions.size);
    this.#heartbeat = new AgentHeartbeat(this.#sessions, options.log);
    this.#helloContext = {
      options,
      byNode: this.#byNode,
      metrics: this.#metrics,
      send: (ws, message) => this.#send(ws, message),
      reject: (ws, reason, detail, code) => this.#reject(ws, reason, detail, code),
    };
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
    this.#admission.handle(req, socket, (node) =>
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, node)),
    );
  }

  /** Starts heartbeats; on abort closes every agent socket with a close frame. */
  run(signal: AbortSignal): Promise<void> {
    this.#heartbeat.start(this.#options.pingIntervalMs ?? 1000);
    return new Promise((resolve) => {
      signal.addEventListener(
        'abort',
        () => {
          this.#heartbeat.stop();
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
      heard: false,
      paced: false,
      kvBinary: false,
    };
    this.#sessions.set(ws, session);
    const helloTimer = setTimeout(() => {
      if (session.node === undefined) this.#reject(ws, 'hello-timeout', 'no hello in time');
    }, this.#options.helloTimeoutMs ?? 5000);
    ws.on('pong', () => (session.missedPongs = 0));
    ws.on('message', (data: Buffer, isBinary) => {
      session.heard = true;
      const started = performance.now();
      // Only a session that opted in (after its hello) may send binary, and only `kv`.
      if (isBinary && !session.kvBinary)
        this.#reject(ws, 'binary', 'binary frames are not part of protocol v1');
      else if (!isBinary) this.#onMessage(ws, session, decodeAgentMessage(data), data);
      else this.#onKvFrame(ws, session, data);
      this.#messageBusyMs += performance.now() - started;
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

  /**
   * A binary `kv` frame is checked, not decoded: the index's worker decodes it (the main thread
   * decoding it too allocated a third of its garbage at 1,000 nodes, kv-binary-decode.ts).
   */
  #onKvFrame(ws: WebSocket, session: AgentSession, data: Buffer): void {
    const checked = checkKvBinary(data);
    if (!checked.ok) return this.#reject(ws, 'invalid', checked.reason, CLOSE_CODES.invalidMessage);
    if (session.node === undefined) return this.#reject(ws, 'invalid', 'state before hello');
    this.#metrics.kvBinaryFrames.inc();
    this.#metrics.received.inc({ type: 'kv' });
    this.#toKvIndex(ws, session.node, checked.message);
  }

  #onMessage(ws: WebSocket, session: AgentSession, decoded: Decoded<AgentMessage>, text: Buffer) {
    if (!decoded.ok) {
      if (decoded.reason.startsWith('protocol version'))
        return this.#reject(ws, 'version', decoded.reason, CLOSE_CODES.versionMismatch);
      return this.#reject(ws, 'invalid', decoded.reason, CLOSE_CODES.invalidMessage);
    }
    const msg = decoded.message;
    this.#metrics.received.inc({ type: msg.type });
    if (msg.type === 'hello')
      return handleHello({ ...this.#helloContext, pace: this.#pace }, ws, session, msg);
    if (session.node === undefined) return this.#reject(ws, 'invalid', 'state before hello');
    if (msg.type === 'progress' || msg.type === 'result')
      return this.#options.commands?.agentMessage(session.node, msg);
    if (msg.type === 'kv' || msg.type === 'kv.lookup')
      return this.#toKvIndex(ws, session.node, msg);
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
    keepJsonText(msg, text); // the replica feed relays it as it came
    this.#options.store.applyDelta(session.node, msg);
  }

  #toKvIndex(ws: WebSocket, node: string, msg: KvMessage | KvLookupMessage | KvFrame): void {
    this.#options.kv?.agentMessage(node, msg, (answer) => {
      if (ws.readyState !== WebSocket.OPEN) return false;
      this.#send(ws, answer);
      return true;
    });
  }

  /**
   * Main-thread time spent handling agents' messages since the last call, ms: what pacing can
   * save (agent-pace.ts).
   */
  takeMessageBusyMs(): number {
    const ms = this.#messageBusyMs;
    this.#messageBusyMs = 0;
    return ms;
  }

  /**
   * Asks every agent that understands it to report at this pace (see pace-messages.ts), in
   * slices (send-in-turns.ts). A newer pace stops the rest of an older one's sends; an agent
   * that connects meanwhile gets the newest on its hello.
   */
  pace(pace: AgentPace): void {
    this.#pace = pace;
    this.#stopPacing();
    const message = JSON.stringify({ v: PROTOCOL_VERSION, type: 'pace', ...pace });
    const targets = [...this.#sessions].filter(([, s]) => s.paced).map(([ws]) => ws);
    this.#stopPacing = sendInTurns(targets, message, PACE_SEND_TURN);
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
