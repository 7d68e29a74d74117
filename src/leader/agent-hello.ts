/**
 * An agent's `hello`: the handshake that binds a connection to its node. The credential decides
 * the node (agent-admission.ts), so a hello for any other node is refused before it can touch
 * that node's real session; a newer connection for the node replaces the older one; the first
 * hello is answered with `welcome` (the leader's identity and epoch, the binary KV feature) and
 * the current pace, then the command client resends what the node missed.
 */
import type { WebSocket } from 'ws';
import {
  CLOSE_CODES,
  KV_BINARY_FEATURE,
  PACE_FEATURE,
  PROTOCOL_VERSION,
  type HelloMessage,
  type LeaderMessage,
} from '../protocol/index.js';
import type { AgentHubMetrics } from './agent-hub-metrics.js';
import type { AgentHubOptions, AgentSession } from './agent-hub-options.js';
import type { AgentPace } from './agent-pace.js';

/** What the handshake reads and changes in the hub. */
export interface HelloContext {
  readonly options: AgentHubOptions;
  /** Each node's bound connection. */
  readonly byNode: Map<string, WebSocket>;
  readonly metrics: AgentHubMetrics;
  /** The pace agents are asked for now. */
  readonly pace: AgentPace;
  send(ws: WebSocket, message: LeaderMessage): void;
  reject(ws: WebSocket, reason: string, detail: string, code?: number): void;
}

/** Binds `ws` to the hello's node, or refuses it. */
export function handleHello(
  hub: HelloContext,
  ws: WebSocket,
  session: AgentSession,
  msg: HelloMessage,
): void {
  const { options, byNode } = hub;
  if (msg.node !== session.identity)
    return hub.reject(
      ws,
      'node-mismatch',
      `credential is for node ${session.identity}, not ${msg.node}`,
      CLOSE_CODES.unauthorized,
    );
  if (session.node !== undefined && session.node !== msg.node)
    return hub.reject(ws, 'invalid', 'node name changed');
  const previous = byNode.get(msg.node);
  if (previous !== undefined && previous !== ws)
    previous.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
  if (!options.store.applySnapshot(msg.node, msg.agentVersion, msg.snapshot))
    return hub.reject(ws, 'capacity', 'too many nodes');
  const first = session.node === undefined;
  session.node = msg.node;
  session.expectSeq = msg.seq + 1;
  session.awaitingResync = false;
  byNode.set(msg.node, ws);
  hub.metrics.connected.set(byNode.size);
  session.paced = msg.features?.includes(PACE_FEATURE) === true;
  const kvBinary = options.kvBinary ?? true;
  session.kvBinary = kvBinary && msg.features?.includes(KV_BINARY_FEATURE) === true;
  if (!first) return;
  const who = options.identity();
  if (who !== undefined)
    hub.send(ws, {
      v: PROTOCOL_VERSION,
      type: 'welcome',
      ...who,
      ...(kvBinary ? { features: [KV_BINARY_FEATURE] } : {}),
    });
  if (session.paced && hub.pace.stateIntervalMs + hub.pace.kvFlushIntervalMs > 0)
    hub.send(ws, { v: PROTOCOL_VERSION, type: 'pace', ...hub.pace });
  options.log.info({ node: msg.node, engines: msg.snapshot.engines.length }, 'agent connected');
  // After the welcome, so the agent knows the epoch before any command resent to it.
  options.commands?.agentHello(msg.node);
}
