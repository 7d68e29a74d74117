/**
 * Agent ↔ leader messages (DESIGN.md §4.2): versioned JSON `{v, type, …}` over one WebSocket.
 * The agent sends `hello` with a full snapshot, then seq-numbered `state` deltas; the leader
 * answers `welcome`, asks for `resync` when it sees a gap, and sends `command`s guarded by epoch.
 */
import type { EngineMetrics } from '../engine/index.js';
import type {
  CancelMessage,
  CommandMessage,
  ProgressMessage,
  ResultMessage,
} from './command-messages.js';
import type {
  KvLookupMessage,
  KvLookupResultMessage,
  KvMessage,
  KvResyncMessage,
} from './kv-messages.js';
import type { PaceMessage } from './pace-messages.js';

/** Protocol version; a peer with another major version is refused with a clear reason. */
export const PROTOCOL_VERSION = 1;

/**
 * Health of one GPU as the agent's policy sees it, with a few rounded facts for operators (the
 * console); the full facts stay on the agent's /v1/gpus.
 */
export interface GpuHealthSummary {
  readonly index: number;
  readonly uuid: string;
  readonly health: 'healthy' | 'degraded' | 'failed';
  readonly reasons: readonly string[];
  /** Absent from agents that predate it, and before the first probe. */
  readonly facts?: GpuFactsSummary;
}

/** Rounded GPU facts (whole °C, W, % and MiB-rounded bytes); null where the tool has none. */
export interface GpuFactsSummary {
  readonly temperatureC: number | null;
  readonly memoryUsedBytes: number | null;
  readonly memoryTotalBytes: number | null;
  readonly powerW: number | null;
  readonly utilizationPct: number | null;
}

/** One engine as its node's agent sees it. */
export interface EngineReport {
  /** Same id as discovery's EngineEndpoint.id. */
  readonly id: string;
  readonly model: string;
  readonly url: string;
  /**
   * The engine is alive: its health endpoint answered recently (not twice failed in a row) or it
   * finished requests recently. Never decided from /metrics.
   */
  readonly ready: boolean;
  /** Latest normalized metrics; absent until the first successful scrape. */
  readonly metrics?: EngineMetrics;
  /**
   * True when the latest /metrics scrape failed (slow, off, 401): `metrics`, if present, are from
   * an older scrape. Stale data, not a dead engine. Absent means false.
   */
  readonly metricsStale?: boolean;
  /** Adapters loaded on the engine (from its LoRA metrics / models list). */
  readonly adapters: readonly string[];
  /**
   * Base models the engine lists in /v1/models (entries without a parent); absent until first
   * read. A configured model missing here is a configuration mismatch: the engine is not routed.
   */
  readonly servedModels?: readonly string[];
  /** Why it is not ready, for humans. */
  readonly error?: string;
  /**
   * The leader asked the agent to drain this engine (`engine.drain`): alive, but no new requests
   * go to it until it is undrained. Absent means not draining.
   */
  readonly draining?: true;
}

/** Everything an agent knows, sent in `hello` and on `resync`. */
export interface NodeSnapshot {
  readonly engines: readonly EngineReport[];
  readonly gpus: readonly GpuHealthSummary[];
}

export interface HelloMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'hello';
  readonly node: string;
  readonly agentVersion: string;
  /** Seq of the snapshot; the next delta carries seq + 1. */
  readonly seq: number;
  readonly snapshot: NodeSnapshot;
  /** Optional protocol features the agent understands (`pace`); absent from older agents. */
  readonly features?: readonly string[];
}

/** A delta: upserted engines, removed engine ids, and the full GPU list when it changed. */
export interface StateMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'state';
  readonly seq: number;
  readonly engines?: readonly EngineReport[];
  readonly removedEngines?: readonly string[];
  readonly gpus?: readonly GpuHealthSummary[];
  /** True when this delta carries an urgent change (a GPU failed) sent ahead of the period. */
  readonly urgent?: boolean;
}

export interface WelcomeMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'welcome';
  readonly leader: string;
  readonly epoch: number;
  /**
   * Optional protocol features the leader accepts (`kv-binary`); absent from older leaders. An
   * older agent ignores the field.
   */
  readonly features?: readonly string[];
}

export interface ResyncMessage {
  readonly v: typeof PROTOCOL_VERSION;
  readonly type: 'resync';
  readonly reason: string;
}

/** Every message an agent sends. */
export type AgentMessage =
  HelloMessage | StateMessage | ProgressMessage | ResultMessage | KvMessage | KvLookupMessage;
/** Every message the leader sends. */
export type LeaderMessage =
  | WelcomeMessage
  | ResyncMessage
  | CommandMessage
  | CancelMessage
  | KvResyncMessage
  | KvLookupResultMessage
  | PaceMessage;

/** WebSocket close codes the hub uses (4000–4999 are application codes). */
export const CLOSE_CODES = {
  invalidMessage: 4400,
  unauthorized: 4401,
  versionMismatch: 4426,
  replaced: 4409,
  notLeader: 4503,
} as const;
