/**
 * What a `bench kv-bound` replay keeps per request, and the tally of its completed requests:
 * TTFT, queueing, and where each prompt's tokens came from at its first admission — computed,
 * hit in the engine's own GPU cache, or entered by an oracle (blocks past the engine's own hit
 * when the oracle first looked, up to what it entered, as far as admission found them).
 */
import type { CoreRequest, CoreRequestSpec } from '../sim/index.js';
import type { BoundRequest } from './kv-bound-chains.js';

/** What one replay measured; token counts are over completed requests. */
export interface BoundRun {
  readonly requests: number;
  readonly completed: number;
  /** Refused: too long for maxModelLen, or the engine's waiting queue was full. */
  readonly refused: number;
  /** Per completed request: arrival → first token, and arrival → first scheduled, seconds. */
  readonly ttftS: readonly number[];
  readonly queueS: readonly number[];
  readonly promptTokens: number;
  readonly computedTokens: number;
  readonly gpuHitTokens: number;
  readonly loadedTokens: number;
  readonly outputTokens: number;
  /** Oracle loads decided, and their modeled transfer time summed, seconds. */
  readonly loads: number;
  readonly transferS: number;
  /** Stream time of the last first token / last finish, seconds. */
  readonly lastFinishS: number;
  readonly steps: number;
  /**
   * The engines' own prefix-cache counters (vllm:prefix_cache_queries / _hits, tokens): every
   * admission counts, re-admissions after a preemption included.
   */
  readonly engineQueryTokens: number;
  readonly engineHitTokens: number;
  readonly preemptions: number;
  /** The oracle's block set reached its bound (its figures are then a lower bound). */
  readonly computedOverflowed: boolean;
}

/** One request of a replay, as the replay and its oracle see it. */
export interface BoundTrack {
  readonly request: BoundRequest;
  readonly spec: CoreRequestSpec;
  readonly engine: number;
  core: CoreRequest<number> | null;
  /** The engine's own GPU hit when the oracle first looked, blocks; -1 before. */
  nativeHitBlocks: number;
  /** Blocks up to which the oracle may enter (link: what was transferred); -1: computed then. */
  loadTo: number;
  /** Highest block end the oracle entered. */
  insertedTo: number;
  /** Its oracle load is there to enter (held until then). */
  landed: boolean;
}

/** Sums the completed requests of a replay (`rest`: what the replay counted itself). */
export function tallyTracks(
  tracks: readonly BoundTrack[],
  requests: number,
  refused: number,
  bs: number,
  rest: Pick<
    BoundRun,
    | 'loads'
    | 'transferS'
    | 'lastFinishS'
    | 'steps'
    | 'engineQueryTokens'
    | 'engineHitTokens'
    | 'preemptions'
    | 'computedOverflowed'
  >,
): BoundRun {
  const ttftS: number[] = [];
  const queueS: number[] = [];
  let promptTokens = 0;
  let computedTokens = 0;
  let gpuHitTokens = 0;
  let loadedTokens = 0;
  let outputTokens = 0;
  for (const t of tracks) {
    const req = t.core;
    if (req?.state !== 'finished' || req.finishReason === 'abort') continue;
    ttftS.push(req.firstTokenS - req.arrivalS);
    queueS.push(req.firstScheduledS - req.arrivalS);
    const cached = Math.max(0, req.numCachedTokens);
    const native = Math.max(0, t.nativeHitBlocks);
    const loaded = Math.max(0, Math.min(cached, t.insertedTo * bs) - native * bs);
    promptTokens += t.request.promptTokens;
    computedTokens += t.request.promptTokens - cached;
    gpuHitTokens += cached - loaded;
    loadedTokens += loaded;
    outputTokens += req.numOutputTokens;
  }
  return {
    requests,
    completed: ttftS.length,
    refused,
    ttftS,
    queueS,
    promptTokens,
    computedTokens,
    gpuHitTokens,
    loadedTokens,
    outputTokens,
    ...rest,
  };
}
