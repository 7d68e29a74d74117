/**
 * The seam between the prefix index (this room owns it) and the `prefix-cache` routing strategy
 * that reads and feeds it. The strategy is handed an index through its routing context and knows
 * only this interface, so KV knowledge has one owner: today the gateway's approximate index of
 * what it routed where; later engine KV events and the agents' L1 stores feed the same owner.
 */
import type { EngineMetrics } from '../engine/index.js';
import type { KvLoadHint } from './kv-load-hint.js';
import type { PrefixCacheConfig } from './prefix-cache-config.js';

/** What the index needs to know of an endpoint to correct itself from the engine's reports. */
export interface ObservedEndpoint {
  readonly id: string;
  /** Latest agent-reported metrics; undefined before the first report. */
  readonly metrics: EngineMetrics | undefined;
  /** The report is older than the staleness limit: not used for corrections. */
  readonly stale: boolean;
}

/** One request's hashes and each candidate's matched blocks, kept between score and onRouted. */
export interface PrefixMemo {
  readonly request: object;
  readonly hashes: number[];
  /** Every block hash of the prompt (`hashes` samples it), for the precise block index. */
  readonly chain?: readonly number[];
  /** Matched blocks of the candidates that hold a prefix; a candidate absent matched none. */
  matched: Map<string, number>;
  /** Set once scoring filled `matched` for every candidate (absent ones then matched 0). */
  scored?: boolean;
  /**
   * The block index's holders of `chain`, when a shortlist already read them: engine → leading
   * blocks in GPU, node → leading blocks in L1 from the chain's start. Scoring reuses them.
   */
  blockHolders?: {
    readonly gpu: ReadonlyMap<string, number>;
    readonly l1?: ReadonlyMap<string, number>;
  };
}

/** The prefix index as the routing strategy sees it; see PrefixIndex for the behaviour. */
export interface PrefixCacheIndex {
  /** The knobs the index was sized from (block size, stride, load guards). */
  readonly config: PrefixCacheConfig;
  /** The last request scored (one slot), so the post-route hook does not hash twice. */
  memo: PrefixMemo | undefined;
  /**
   * The last pick's KV load hint (one slot, kv-load-hint.ts): prefix-cache sets it after a
   * precise pick, the gateway reads it for the request it sends.
   */
  loadHint: KvLoadHint | undefined;
  /** The endpoint's current incarnation (created on first sight). */
  genOf(endpointId: string): number;
  /** Applies what the engine reports (restart, over-promise). */
  observe(endpoint: ObservedEndpoint): void;
  /**
   * `observe` for every candidate, and the incarnation of each one `wanted` marks (0 for the
   * others), as `genOf` gives it: one lookup per candidate, for picks over thousands of them.
   */
  candidateGens(endpoints: readonly ObservedEndpoint[], wanted: readonly boolean[]): number[];
  /**
   * Leading blocks of `hashes` each candidate (by incarnation, 0 = left out) holds, counting
   * only blocks routed there within `maxAgeMs` (default and cap: `entryTtlMs`).
   */
  match(
    hashes: readonly number[],
    gens: readonly number[],
    nowMs: number,
    maxAgeMs?: number,
  ): Int32Array;
  /**
   * Every endpoint holding leading blocks of `hashes` within `entryTtlMs`, by id: how many. Costs
   * what the holders cost, not the candidates (a pick's shortlist at a thousand engines).
   */
  holders(hashes: readonly number[], nowMs: number): ReadonlyMap<string, number>;
  /** Notes what the index predicted for a request routed to the endpoint. */
  notePrediction(endpointId: string, promptTokens: number, predictedHitTokens: number): void;
  /** Attributes `hashes` to the endpoint, bounded by its KV capacity (tokens) when known. */
  insert(
    hashes: readonly number[],
    endpointId: string,
    nowMs: number,
    capacityTokens?: number,
  ): void;
}
