/**
 * The routing seam (STYLE.md §4): pure strategies that score a snapshot of candidate endpoints.
 * The gateway builds the snapshot; `pick()` fuses scores and breaks ties with an injected RNG.
 */
import type { EngineMetrics } from '../engine/index.js';
import type { PrefixCacheIndex, PreciseBlockView } from '../kvcache/index.js';
import type { Rng } from '../shared/index.js';
import type { RoutingState } from './routing-state.js';

/** One candidate endpoint with everything a strategy may score on. */
export interface EndpointLoad {
  readonly id: string;
  /** Short name (pod / engine name) — what `target-pod` shows. */
  readonly name: string;
  readonly model: string;
  readonly node: string;
  /** Discovery says routable (address, Ready, not terminating). */
  readonly ready: boolean;
  /** Not ejected by passive health checks and not on a failed GPU. */
  readonly healthy: boolean;
  /** Requests the gateway has in flight to this endpoint (exact, no lag). */
  readonly inFlight: number;
  /**
   * Prompt tokens of this gateway's in-flight requests to this endpoint that have produced no
   * output yet: the prefill queued ahead of a new request (exact for streaming requests; a
   * non-streaming one counts until it completes).
   */
  readonly pendingPrefillTokens: number;
  /** Latest agent-reported metrics; undefined before the first report. */
  readonly metrics: EngineMetrics | undefined;
  /** True when the agent's report is older than the staleness limit. */
  readonly stale: boolean;
  /** LoRA adapters loaded on the engine. */
  readonly adapters: readonly string[];
  /** LoRA slots (max_loras) of the engine; 0 when LoRA is off or unknown. */
  readonly maxLoras: number;
}

/** What a strategy's {@link CandidatePreference} may read of a candidate before the pick scores it. */
export type ShortlistCandidate = Pick<
  EndpointLoad,
  'id' | 'node' | 'adapters' | 'metrics' | 'maxLoras'
>;

/**
 * How strongly a strategy wants a candidate among those a pick scores when a model has more
 * engines than it scores (shortlist.ts): 0 for no more than any other, higher for more.
 */
export interface CandidatePreference {
  (candidate: ShortlistCandidate): number;
  /**
   * Optional: every candidate ranked above 0 is named here, by engine id or by node (a superset
   * is fine). The shortlist then asks only about these instead of about every engine.
   */
  readonly named?: {
    readonly ids: Iterable<string>;
    readonly nodes: Iterable<string>;
  };
}

/** What a strategy knows about the request. Fields are computed lazily by the gateway. */
export interface RoutingRequest {
  /** The `model` of the request (base model or adapter name). */
  readonly model: string;
  /** The base model, when `model` names an adapter. */
  readonly baseModel: string;
  /** The adapter requested, if any. */
  readonly adapter: string | undefined;
  /** Prompt text as the stand-in chat template renders it. */
  readonly promptText: string;
  /** Prompt length in stand-in tokens. */
  readonly promptTokens: number;
  /** `max_tokens` (or `max_completion_tokens`) when given. */
  readonly maxTokens: number | undefined;
  readonly user: string | undefined;
  readonly sessionId: string | undefined;
  readonly requestId: string;
}

/** The snapshot strategies score; `endpoints` are the candidates (ready and healthy). */
export interface RoutingSnapshot {
  readonly endpoints: readonly EndpointLoad[];
  readonly nowMs: number;
}

/** Everything besides the snapshot a strategy may use. */
export interface RoutingContext {
  readonly rng: Rng;
  /** Long-lived routing state (fairness counters, sessions), owned by the gateway. */
  readonly state: RoutingState;
  /** The prefix index (kvcache's), which prefix-cache reads and feeds; its owner is the leader. */
  readonly prefixIndex: PrefixCacheIndex;
  /**
   * What engines' GPU caches and nodes' L1 stores hold, from KV events (the leader's global block
   * index); absent where nothing publishes them. `prefix-cache` reads it in its precise modes.
   */
  readonly blockIndex?: PreciseBlockView;
  /**
   * Told of every pick (the console's recent decisions); absent: pick builds no trace. Must be
   * cheap and must not throw: it runs on the request path.
   */
  readonly onPicked?: (trace: PickTrace) => void;
  /**
   * The most candidates one pick scores (shortlist.ts); absent or 0: every one. Applied by the
   * caller that builds the snapshot (the gateway), before it builds it.
   */
  readonly maxScoredCandidates?: number;
}

/** What pick() decided for one request, for observers; no prompt text. */
export interface PickTrace {
  readonly model: string;
  /** The strategies of the mix, by name. */
  readonly strategies: readonly string[];
  /** The winner's id; undefined when no endpoint could be chosen. */
  readonly chosen: string | undefined;
  /** Routable candidates with their fused score (0–1, higher is better); undefined with one candidate (no scoring). */
  readonly candidates: readonly { readonly id: string; readonly score: number | undefined }[];
  /** How many routable candidates there were (without building `candidates`). */
  readonly candidateCount: number;
  /**
   * The `k` best-scored candidates, best first (ties in candidate order), without building the
   * whole list: the console shows 16 of what can be a thousand.
   */
  topCandidates(k: number): readonly { readonly id: string; readonly score: number | undefined }[];
  /** Several candidates tied at the best score (the RNG chose). */
  readonly tie: boolean;
  /** With prefix-cache in a scored mix: whether the winner held a cached prefix; else undefined. */
  readonly prefixHit: boolean | undefined;
}

export type Polarity = 'lower-is-better' | 'higher-is-better';

/**
 * How pick() brings a strategy's scores onto [0, 1] before weighting. `min-max` (the default)
 * stretches the scores of this request's candidates over [0, 1]; `absolute` means the scores are
 * already on a fixed 0–1 scale (a KV usage ratio, a prefix match ratio) and are used as they are,
 * so a small difference stays a small contribution in a weighted mix (llm-d's scorer convention).
 */
export type Normalization = 'min-max' | 'absolute';

/** One routing strategy: a kebab-case name equal to its config id, a polarity and a scorer. */
export interface RoutingAlgorithm {
  readonly name: string;
  readonly polarity: Polarity;
  /** Default `min-max`; see {@link Normalization}. */
  readonly normalization?: Normalization;
  /** One line for docs and the 400 that lists valid names. */
  readonly description: string;
  /** A score per candidate (same order); NaN means "cannot score this one" (gets the worst). */
  score(snapshot: RoutingSnapshot, request: RoutingRequest, ctx: RoutingContext): readonly number[];
  /**
   * Optional: for a pick that scores a shortlist of a model's engines, which candidates this
   * strategy must see (prefix holders, engines with the adapter, the session's engine); undefined
   * when it prefers none for this request. Strategies without it rank on load, where a uniform
   * sample of candidates serves (shortlist.ts).
   */
  preference?(
    request: RoutingRequest,
    ctx: RoutingContext,
    nowMs: number,
  ): CandidatePreference | undefined;
  /**
   * Optional post-route hook: record the decision (prefix index, fairness counters, sessions).
   * `snapshot` is the one pick() was given (its `nowMs` dates the record).
   */
  onRouted?(
    chosen: EndpointLoad,
    request: RoutingRequest,
    ctx: RoutingContext,
    snapshot: RoutingSnapshot,
  ): void;
}

/** A weighted list of strategies, parsed once from config or a `routing-strategy` header. */
export type StrategyMix = readonly {
  readonly algorithm: RoutingAlgorithm;
  readonly weight: number;
}[];
