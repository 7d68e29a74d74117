/**
 * The leader client's ports and settings (what leader-client.ts is given). Apart from the client
 * so the wiring (leader-client-wiring.ts) and tests read the contract without the protocol code,
 * as agent-hub-options.ts does on the leader's side.
 */
import type { Clock, Logger, Rng } from '../shared/index.js';
import type { AgentMetrics } from './agent-metrics.js';
import type { CommandChannel } from './command-channel.js';
import type { KvChannel } from './kv-channel.js';
import type { LeaderTrust } from './leader-tls.js';

export interface LeaderClientOptions {
  readonly url: string;
  /**
   * More hub URLs (gateway replicas, issue #18), tried in turn after `url` when a connection
   * fails: a follower refuses agents, so the agent settles on the replica that leads.
   */
  readonly standbyUrls?: readonly string[];
  /** The bearer credential for one connection attempt (a token, or a token file read anew). */
  readonly credential: (signal: AbortSignal) => Promise<string>;
  /** How the leader's certificate is checked on wss://. Default: the system CAs. */
  readonly trust?: LeaderTrust;
  readonly node: string;
  readonly agentVersion: string;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  readonly rng: Rng;
  readonly reconnect: { readonly initialMs: number; readonly maxMs: number };
  /** Disconnect when this many bytes wait to be sent. Default 8 MiB. */
  readonly highWaterBytes?: number;
  /** Connect + handshake timeout. Default 5000 ms. */
  readonly handshakeTimeoutMs?: number;
  /** Where the leader's commands go (the command executor); absent, commands are ignored. */
  readonly commands?: CommandChannel;
  /** Where the KV messages go (the KV reporter and L2 lookups); absent, they are ignored. */
  readonly kv?: KvChannel;
  /** Times the leader's pace. Default the system clock. */
  readonly clock?: Clock;
  /** Offer binary `kv` frames in the hello (used when the welcome accepts them). Default true. */
  readonly kvBinary?: boolean;
}
