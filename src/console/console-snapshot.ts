/**
 * The contract between the leader's console feed and the web page (issue #17): the JSON the page
 * receives from `GET /v1/console/snapshot` and from the Server-Sent Events of
 * `GET /v1/console/stream`.
 *
 * The stream sends one `snapshot` event (data: a ConsoleSnapshot) on connect, then at most one
 * event per second, only when something changed: a `delta` (data: a ConsoleDelta) that the page
 * applies with `applyConsoleDelta` (console-delta.ts). Deltas, not fresh snapshots, because the
 * series grow with engines × window: re-sending ten minutes of points every second would cost a
 * cluster of 100 engines half a megabyte a second per tab. A `snapshot` event may come again at
 * any time (the page then replaces everything). Lines starting with `:` are keep-alives.
 *
 * Every number the leader does not know is `null` (never a guess, never 0 standing for unknown).
 * Times are ms since the epoch on the leader's clock. No prompt text anywhere.
 */

/** Version of this contract; a page that reads another version shows "reload". */
export const CONSOLE_SNAPSHOT_VERSION = 1;

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

/** One candidate the router scored for a request. */
export interface ConsoleCandidate {
  readonly engine: string;
  /** The strategy's score for it (meaning depends on the strategy: lower is better for load, higher for prefix match); null when the strategy does not score. */
  readonly score: number | null;
}

/** One routing decision (no prompt text, no user data). */
export interface ConsoleRoutingDecision {
  readonly atMs: number;
  readonly model: string;
  readonly strategy: string;
  /** The engine picked; null when none could take it (the request was held or refused). */
  readonly picked: string | null;
  /** Why, in a few words (e.g. "prefix match 12 blocks", "least waiting"). */
  readonly reason: string;
  /** The candidates with their scores, best first; at most 16. */
  readonly candidates: readonly ConsoleCandidate[];
}

/** Where requests went, since the leader started (counters). */
export interface ConsoleRouting {
  readonly requestsTotal: number;
  /** Strategy name → requests routed with it. */
  readonly byStrategy: Readonly<Record<string, number>>;
  /** Engine id → requests routed to it. */
  readonly byEngine: Readonly<Record<string, number>>;
  /** Share of prefix-aware picks that found a cached prefix, 0–1; null before any. */
  readonly prefixHitRatio: number | null;
  /** The most recent decisions, newest first; at most 200. */
  readonly recent: readonly ConsoleRoutingDecision[];
}

/** One ModelAdapter (LoRA) resource. */
export interface ConsoleAdapter {
  readonly namespace: string;
  readonly name: string;
  readonly baseModel: string;
  /** The resource's status phase (Pending, Scheduled, Running, Failed…); null before its first status. */
  readonly phase: string | null;
  /** Engine ids the adapter is loaded on. */
  readonly loadedOn: readonly string[];
  readonly desiredReplicas: number | null;
  /** The last error its controller recorded; null when none. */
  readonly lastError: string | null;
}

/** One scaling decision with its reason. */
export interface ConsoleScaleDecision {
  readonly atMs: number;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
}

/** One PodAutoscaler. */
export interface ConsoleAutoscaler {
  readonly namespace: string;
  readonly name: string;
  /** What it scales, e.g. "Deployment/llama-8b". */
  readonly target: string;
  /** Strategy: HPA, KPA, APA… */
  readonly strategy: string;
  readonly current: number | null;
  readonly desired: number | null;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The metric it scales on and its latest value against the target. */
  readonly signal: {
    readonly metric: string;
    readonly value: number | null;
    readonly target: number | null;
  };
  /** Its latest decisions, newest first; at most 10. */
  readonly decisions: readonly ConsoleScaleDecision[];
}

/** One node's KV cache. */
export interface ConsoleKvNode {
  readonly node: string;
  /** L1 (CPU memory) store bytes used / capacity; null when the node has no L1 store. */
  readonly l1UsedBytes: number | null;
  readonly l1CapacityBytes: number | null;
  /** Blocks the global index knows on this node. */
  readonly blocks: number;
}

/** The KV cache across the cluster. */
export interface ConsoleKv {
  readonly nodes: readonly ConsoleKvNode[];
  /** Hit ratios per tier (0–1), null when no lookup happened: GPU (engine prefix cache), L1, L2. */
  readonly hitRatio: {
    readonly gpu: number | null;
    readonly l1: number | null;
    readonly l2: number | null;
  };
}

/** What kind of thing happened. */
export type ConsoleEventKind =
  | 'gpu-failed'
  | 'gpu-recovered'
  | 'node-drain'
  | 'node-taint'
  | 'node-connected'
  | 'node-lost'
  | 'scale'
  | 'adapter-moved'
  | 'adapter-failed'
  | 'engine-up'
  | 'engine-down'
  | 'leader-changed';

/** One recent event. */
export interface ConsoleEvent {
  /** Increasing id within one leader's life: the page de-duplicates and orders on it. */
  readonly id: number;
  readonly atMs: number;
  readonly kind: ConsoleEventKind;
  /** info for the normal course of things, warning for what an operator should look at. */
  readonly severity: 'info' | 'warning';
  /** What it is about: a node, engine id, adapter or autoscaler name. */
  readonly subject: string;
  readonly message: string;
}

/** One engine's recent history, in columns (the shape uPlot draws). */
export interface ConsoleEngineSeries {
  readonly engine: string;
  /** Sample times, ms, oldest first; the other columns have the same length. */
  readonly t: readonly number[];
  readonly running: readonly (number | null)[];
  readonly waiting: readonly (number | null)[];
  readonly kvUsage: readonly (number | null)[];
  readonly ttftMs: readonly (number | null)[];
}

/** Per-engine history of the last minutes. */
export interface ConsoleSeries {
  /** How often the leader samples, ms. */
  readonly intervalMs: number;
  /** How far back it keeps, ms (the page drops older points after applying deltas). */
  readonly windowMs: number;
  readonly engines: readonly ConsoleEngineSeries[];
}

/** The whole state, sent on connect and by `GET /v1/console/snapshot`. */
export interface ConsoleSnapshot {
  readonly v: typeof CONSOLE_SNAPSHOT_VERSION;
  /** Increases with every change the feed sees; a delta carries the seq it brings the page to. */
  readonly seq: number;
  readonly generatedAtMs: number;
  readonly leader: ConsoleLeader;
  readonly nodes: readonly ConsoleNode[];
  readonly engines: readonly ConsoleEngine[];
  readonly routing: ConsoleRouting;
  readonly adapters: readonly ConsoleAdapter[];
  readonly autoscalers: readonly ConsoleAutoscaler[];
  readonly kv: ConsoleKv;
  /** Recent events, newest first; at most 200. */
  readonly events: readonly ConsoleEvent[];
  readonly series: ConsoleSeries;
}

/** One new sample of one engine, appended to its series. */
export interface ConsoleSample {
  readonly engine: string;
  readonly t: number;
  readonly running: number | null;
  readonly waiting: number | null;
  readonly kvUsage: number | null;
  readonly ttftMs: number | null;
}

/**
 * What changed since the previous event of the same stream. A section present replaces the
 * page's copy whole; an absent one is unchanged. `events` are new events only (prepend them);
 * `samples` are new series points (append them, then drop points older than the window; an
 * engine with no series yet gets one).
 */
export interface ConsoleDelta {
  readonly v: typeof CONSOLE_SNAPSHOT_VERSION;
  readonly seq: number;
  readonly generatedAtMs: number;
  readonly leader?: ConsoleLeader;
  readonly nodes?: readonly ConsoleNode[];
  readonly engines?: readonly ConsoleEngine[];
  readonly routing?: ConsoleRouting;
  readonly adapters?: readonly ConsoleAdapter[];
  readonly autoscalers?: readonly ConsoleAutoscaler[];
  readonly kv?: ConsoleKv;
  readonly events?: readonly ConsoleEvent[];
  readonly samples?: readonly ConsoleSample[];
}

/** Bounds the page may rely on. */
export const CONSOLE_LIMITS = {
  /** Routing decisions kept and sent. */
  maxDecisions: 200,
  /** Events kept and sent. */
  maxEvents: 200,
  /** Candidates per routing decision. */
  maxCandidates: 16,
  /** Scale decisions per autoscaler. */
  maxScaleDecisions: 10,
} as const;
