/**
 * Leader ↔ gateway-replica messages (issue #18, "Gateway replicas"): every leader replica serves
 * the gateway, and followers read the leader's routing state over one WebSocket
 * (`/v1/replicas` on the control port, the control token as bearer). Versioned JSON `{v, type}`
 * like the agent protocol. The leader sends `replica.welcome` with a full snapshot, then
 * seq-numbered deltas: the agents' own state messages relayed as they arrive (urgent ones at
 * once), agents lost, KV batches and prefix-index insertions. A follower that sees a seq gap
 * reconnects and so gets a fresh snapshot. `replica.kv` may come as a binary frame instead
 * (replica-kv-frame.ts) to a follower that asked for it. Followers send their own prefix-index insertions;
 * the leader applies them and fans them out, so the prefix index is the leader's.
 */
import type { NodeSnapshot, PROTOCOL_VERSION, StateMessage } from './messages.js';
import type { KvMessage } from './kv-messages.js';

/** One node as the leader's cluster state holds it. */
export interface ReplicaNode {
  readonly node: string;
  readonly agentVersion: string;
  /** False when the leader lost the node's agent (its engines stay, their data stale). */
  readonly connected: boolean;
  readonly snapshot: NodeSnapshot;
}

/** One prefix-index insertion: the gateway routed these prompt blocks to this endpoint. */
export interface PrefixInsertion {
  readonly endpoint: string;
  readonly hashes: readonly number[];
  /** The engine's KV capacity in tokens when its metrics report it. */
  readonly capacityTokens?: number;
}

/** leader → follower, first: everything, with the seq the next delta follows. */
export interface ReplicaWelcomeMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'replica.welcome';
  readonly leader: string;
  readonly epoch: number;
  readonly seq: number;
  readonly nodes: readonly ReplicaNode[];
  /** The most recent insertions (bounded), oldest first. */
  readonly prefixes: readonly PrefixInsertion[];
}

/** leader → follower: an agent's full snapshot (its hello or resync). */
export interface ReplicaNodeMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'replica.node';
  readonly seq: number;
  readonly node: ReplicaNode;
}

/** leader → follower: an agent's state delta, relayed as the leader applied it. */
export interface ReplicaStateMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'replica.state';
  readonly seq: number;
  readonly node: string;
  readonly delta: StateMessage;
}

/** leader → follower: the node's agent is lost. */
export interface ReplicaLostMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'replica.lost';
  readonly seq: number;
  readonly node: string;
}

/** leader → follower: a KV batch the leader applied to its global block index. */
export interface ReplicaKvMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'replica.kv';
  readonly seq: number;
  readonly node: string;
  readonly batch: KvMessage;
}

/**
 * Prefix-index insertions: leader → follower with a seq; follower → leader without one (the
 * leader applies them and fans them out to the other followers).
 */
export interface ReplicaPrefixMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'replica.prefix';
  readonly seq?: number;
  readonly insertions: readonly PrefixInsertion[];
}

/** follower → leader, first: who the follower is. */
export interface ReplicaHelloMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'replica.hello';
  readonly identity: string;
  /**
   * The follower reads `replica.kv` as binary feed frames (replica-kv-frame.ts): agents' binary
   * `kv` frames relayed as they came. Without it the leader sends it JSON.
   */
  readonly kvBinary?: true;
}

/** Every seq-numbered delta the leader sends after the welcome. */
export type ReplicaDelta =
  | ReplicaNodeMessage
  | ReplicaStateMessage
  | ReplicaLostMessage
  | ReplicaKvMessage
  | (ReplicaPrefixMessage & { readonly seq: number });

/** Every message the leader sends a follower. */
export type ReplicaFeedMessage = ReplicaWelcomeMessage | ReplicaDelta;

/** Every message a follower sends the leader. */
export type ReplicaFollowerMessage = ReplicaHelloMessage | ReplicaPrefixMessage;

/** Bounds on one replica message. */
export const REPLICA_LIMITS = {
  /** Nodes in one welcome. */
  nodes: 10_000,
  /** Prefix insertions in one message (and kept for the next welcome). */
  insertions: 4096,
  /** Block hashes in one insertion. */
  hashesPerInsertion: 4096,
} as const;
