/**
 * The agent hub's ports (what it is given) and its per-connection session (agent-hub.ts).
 */
import type {
  KvFrame,
  KvLookupMessage,
  KvLookupResultMessage,
  KvMessage,
  KvResyncMessage,
  ProgressMessage,
  ResultMessage,
} from '../protocol/index.js';
import type { Logger, Registry } from '../shared/index.js';
import type { AgentAuthenticator } from './agent-authenticator.js';
import type { ClusterStateStore } from './cluster-state.js';

export interface AgentHubOptions {
  readonly store: ClusterStateStore;
  /** Maps a connection's bearer credential to the node it may speak for. */
  readonly authenticator: AgentAuthenticator;
  readonly log: Logger;
  readonly registry: Registry;
  /** Leader identity and epoch sent in `welcome`. */
  readonly identity: () => { leader: string; epoch: number } | undefined;
  /** Ping period; an agent that misses 3 pongs is lost. Default 1000 ms. */
  readonly pingIntervalMs?: number;
  /** A connection must say hello within this time. Default 5000 ms. */
  readonly helloTimeoutMs?: number;
  /** Largest message accepted. Default 4 MiB. */
  readonly maxPayloadBytes?: number;
  /**
   * Accept `kv` as binary frames (kv-binary.ts) from agents whose hello lists the feature, and
   * say so in `welcome`. Default true; off, every agent sends JSON as before.
   */
  readonly kvBinary?: boolean;
  /** Most agents connected or authenticating at once. Default 5000. */
  readonly maxAgents?: number;
  /** Bound of one credential check (a TokenReview in Kubernetes). Default 5000 ms. */
  readonly authTimeoutMs?: number;
  /** Gets agents' hellos and command messages (the CommandClient). */
  readonly commands?: {
    agentHello(node: string): void;
    agentMessage(node: string, message: ProgressMessage | ResultMessage): void;
  };
  /**
   * Gets agents' KV messages (the global block index, issue #14): `kv` batches with their own seq
   * (as JSON, or as a checked binary frame not yet decoded) and `kv.lookup` questions; `reply`
   * answers on the same connection (false when it is gone).
   */
  readonly kv?: {
    agentMessage(
      node: string,
      message: KvMessage | KvFrame | KvLookupMessage,
      reply: (answer: KvResyncMessage | KvLookupResultMessage) => boolean,
    ): void;
    /** The node's connection closed (its L1 blocks stay indexed until it is lost or resets). */
    agentGone(node: string): void;
  };
}

/** One agent connection as the hub tracks it. */
export interface AgentSession {
  /** The node the connection's credential may speak for. */
  readonly identity: string;
  node: string | undefined;
  expectSeq: number;
  awaitingResync: boolean;
  missedPongs: number;
  /**
   * A message came in since the heartbeat last looked: as good as a pong, so that round sends no
   * ping (at 1,000 agents pings were a thousand socket writes a second on the leader's loop).
   */
  heard: boolean;
  /** The agent's hello listed the `pace` feature. */
  paced: boolean;
  /** The agent's hello listed `kv-binary` and this hub accepts it: binary `kv` frames are fine. */
  kvBinary: boolean;
}
