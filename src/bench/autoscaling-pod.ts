/**
 * The pieces of the autoscaling bench's virtual cluster (autoscaling-cluster.ts): one simulated
 * pod, what a request's outcome records, what a sample of the engines reports, and the KV block
 * keys of a trace request.
 */
import type { CoreConfig, CoreRequest, EngineCore, HardwareProfile } from '../sim/index.js';
import type { Rng } from '../shared/index.js';
import { TRACE_BLOCK_TOKENS, type TraceEntry } from './routing-trace.js';

/** What the harness learns about one request. */
export interface RequestOutcome {
  readonly arrivalS: number;
  /** Time to first token, seconds; NaN when refused (engine queue full). */
  ttftS: number;
  finished: boolean;
}

/** A request held at the gateway while no engine is ready. */
export interface HeldRequest {
  readonly entry: TraceEntry;
  readonly outcome: RequestOutcome;
}

/** The caller data each core request carries. */
export interface Tracked {
  readonly outcome: RequestOutcome;
}

/** One simulated pod. */
export interface SimPod {
  readonly id: number;
  readonly createdS: number;
  readonly readyS: number;
  state: 'starting' | 'ready' | 'draining' | 'gone';
  goneS: number;
  readonly core: EngineCore<Tracked>;
  offsetS: number;
  readonly inFlight: Set<CoreRequest<Tracked>>;
  /** Prefill tokens and the seconds of the steps that computed them, since the last sample. */
  prefillTokens: number;
  prefillBusyS: number;
}

/** One sample of the ready engines, as an agent would report them. */
export interface ClusterSample {
  readonly ready: number;
  readonly running: number;
  readonly waiting: number;
  readonly kvUsageSum: number;
  /** Prompt tokens not yet prefilled: on engines, and held at the gateway. */
  readonly waitingPromptTokens: number;
  /** Prefill tokens / busy seconds of steps that prefilled, since the last sample; NaN if none. */
  readonly prefillTokensPerSecond: number;
}

/** How the cluster is built. */
export interface ClusterOptions {
  readonly profile: HardwareProfile;
  readonly core: CoreConfig;
  /** Seconds from pod creation to serving. */
  readonly coldStartS: number;
  readonly rng: Rng;
}

/**
 * The 16-token block keys the core caches on, from the trace's 512-token hash ids. Mooncake's
 * ids already identify a whole prefix (equal id = equal prefix up to that block), so the key of
 * 16-token block b is its trace block's id and its place in it; no further chaining is needed.
 */
export function blockHashesFor(entry: TraceEntry, blockTokens: number): number[] {
  const perTraceBlock = TRACE_BLOCK_TOKENS / blockTokens;
  const full = Math.floor(entry.inputLength / blockTokens);
  const ids: number[] = [];
  for (let b = 0; b < full; b++) {
    const traceId = entry.hashIds[Math.floor(b / perTraceBlock)] ?? -1 - b;
    ids.push(traceId * perTraceBlock + (b % perTraceBlock));
  }
  return ids;
}
