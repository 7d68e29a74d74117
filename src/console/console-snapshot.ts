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
 *
 * The sections' shapes live in console-{cluster,routing,resource,history}-types.ts and are
 * re-exported here, so the page and the feed import the whole contract from this one module.
 */
import type { ConsoleLeader, ConsoleNode, ConsoleEngine } from './console-cluster-types.js';
import type { ConsoleRouting } from './console-routing-types.js';
import type { ConsoleAdapter, ConsoleAutoscaler, ConsoleKv } from './console-resource-types.js';
import type { ConsoleEvent, ConsoleSeries } from './console-history-types.js';

export type {
  ConsoleLeader,
  ConsoleGpu,
  ConsoleNode,
  ConsoleEngineState,
  ConsoleEngine,
} from './console-cluster-types.js';
export type {
  ConsoleCandidate,
  ConsoleRoutingDecision,
  ConsoleRouting,
} from './console-routing-types.js';
export type {
  ConsoleAdapter,
  ConsoleScaleDecision,
  ConsoleAutoscaler,
  ConsoleKvNode,
  ConsoleKv,
} from './console-resource-types.js';
export type {
  ConsoleEventKind,
  ConsoleEvent,
  ConsoleEngineSeries,
  ConsoleSeries,
} from './console-history-types.js';

/** Version of this contract; a page that reads another version shows "reload". */
export const CONSOLE_SNAPSHOT_VERSION = 1;

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
