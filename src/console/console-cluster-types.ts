/**
 * The console contract's cluster sections (see console-snapshot.ts): the answering leader, the
 * nodes with their GPUs, and the engines as routing sees them. Unknown numbers are `null`.
 */

/** Which replica answers and what it knows about leadership. */
export interface ConsoleLeader {
  /** The leader's identity (pod name or host). */
  readonly identity: string;
  /** The leadership epoch; null before this replica leads. */
  readonly epoch: number | null;
  readonly version: string;
  /** When this replica became leader; null when not leading. */
  readonly sinceMs: number | null;
}

/** One GPU of a node, as its agent reports it. */
export interface ConsoleGpu {
  readonly index: number;
  readonly uuid: string;
  readonly health: 'healthy' | 'degraded' | 'failed';
  /** Why it is degraded or failed, for humans; empty when healthy. */
  readonly reasons: readonly string[];
  /** °C; null when the agent does not report it. */
  readonly temperatureC: number | null;
  readonly memoryUsedBytes: number | null;
  readonly memoryTotalBytes: number | null;
  /** Watts; null when unknown. */
  readonly powerW: number | null;
}

/** One node (one agent). */
export interface ConsoleNode {
  readonly name: string;
  /** The node's agent holds a connection to this leader now. */
  readonly connected: boolean;
  /** When its agent last reported; null when it never did. */
  readonly lastReportMs: number | null;
  readonly agentVersion: string | null;
  readonly gpus: readonly ConsoleGpu[];
  /** Engine ids on this node (see ConsoleSnapshot.engines). */
  readonly engineIds: readonly string[];
}

/**
 * What routing makes of an engine: `ready` takes requests; `stale` has no fresh agent data;
 * `draining` finishes what it has and takes nothing new; `gpuFailed` sits on a failed GPU;
 * `down` its agent says it stopped answering (or it never became ready).
 * When several hold, the first of gpuFailed, down, draining, stale wins.
 */
export type ConsoleEngineState = 'ready' | 'stale' | 'draining' | 'gpuFailed' | 'down';

/** One inference engine. */
export interface ConsoleEngine {
  readonly id: string;
  readonly node: string;
  readonly model: string;
  readonly url: string;
  readonly state: ConsoleEngineState;
  /** Why it is not ready, from its agent; null when ready or unknown. */
  readonly error: string | null;
  readonly running: number | null;
  readonly waiting: number | null;
  /** KV cache usage 0–1. */
  readonly kvUsage: number | null;
  /**
   * Time to first token, ms: the mean over the agent's last scrape window (agents report
   * histogram sums and counts, not buckets, so no percentile is known); null when no request
   * finished in the window.
   */
  readonly ttftMs: number | null;
  /** Generated tokens per second over the agent's window. */
  readonly generationTokensPerSecond: number | null;
  /** LoRA adapters loaded on it now. */
  readonly adapters: readonly string[];
  /** The gateway's passive health took it out of routing for now. */
  readonly ejected: boolean;
}
