import { promptBlockHashes } from '../prefix-hashing.js';
import type { PrefixIndex } from '../prefix-index.js';
import type { RoutingState } from '../routing-state.js';
import type { EndpointLoad, RoutingAlgorithm, RoutingRequest } from '../types.js';

function hashesFor(request: RoutingRequest, state: RoutingState): number[] {
  const index = state.prefixIndex;
  if (index.memo?.request === request) return index.memo.hashes;
  const c = state.config.prefixCache;
  const chain = promptBlockHashes(
    request.promptText,
    c.blockSizeTokens,
    c.maxPromptBlocks,
    request.adapter,
  );
  const hashes = sampleChain(chain, c.indexStrideBlocks);
  index.memo = { request, hashes, matched: new Map() };
  return hashes;
}

/**
 * Every `stride`-th hash of a chain (blocks stride−1, 2·stride−1, …). Chained hashes cover their
 * whole prefix, so the sample still identifies prefixes exactly — at `stride`-block granularity —
 * and stays equal to the engine's own block hashes at those positions.
 */
export function sampleChain(chain: readonly number[], stride: number): number[] {
  if (stride <= 1) return chain as number[];
  const out: number[] = [];
  for (let i = stride - 1; i < chain.length; i += stride) out.push(chain[i] as number);
  return out;
}

/**
 * AIBrix's load guards on the gateway's exact in-flight counts: when the spread max − min
 * exceeds `imbalanceAbsCount`, only the least-loaded endpoints may match; otherwise only those
 * with in-flight ≤ mean + k·σ (sample standard deviation, n − 1). The least-loaded endpoint
 * always passes, which is AIBrix's least-request fallback.
 */
export function eligibleForPrefix(
  endpoints: readonly EndpointLoad[],
  imbalanceAbsCount: number,
  stdDevFactor: number,
): boolean[] {
  const loads = endpoints.map((e) => e.inFlight);
  const n = loads.length;
  const min = Math.min(...loads);
  const max = Math.max(...loads);
  if (max - min > imbalanceAbsCount) return loads.map((l) => l === min);
  const mean = loads.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? loads.reduce((a, l) => a + (l - mean) ** 2, 0) / (n - 1) : 0;
  const bound = mean + stdDevFactor * Math.sqrt(variance);
  return loads.map((l) => l <= bound);
}

function scoreWithIndex(
  endpoints: readonly EndpointLoad[],
  hashes: readonly number[],
  index: PrefixIndex,
  eligible: readonly boolean[],
  nowMs: number,
): number[] {
  const gens = endpoints.map((e, i) => (eligible[i] === true ? index.genOf(e.id) : 0));
  const matched = index.match(hashes, gens, nowMs);
  const memo = index.memo;
  endpoints.forEach((e, i) => memo?.matched.set(e.id, matched[i] ?? 0));
  const blocks = hashes.length;
  // The load tie-break stays below one block's share, so matching always ranks first.
  const loadShare = Math.min(0.01, 1 / (2 * (blocks + 1)));
  const maxInFlight = endpoints.reduce((m, e) => Math.max(m, e.inFlight), 0);
  return endpoints.map((e, i) => {
    if (eligible[i] !== true) return 0;
    const ratio = blocks > 0 ? (matched[i] ?? 0) / blocks : 0;
    return ratio * (1 - loadShare) + loadShare * (1 - e.inFlight / (maxInFlight + 1));
  });
}

/**
 * Prefix-cache affinity (AIBrix `prefix-cache`, approximate index as llm-d's default): the
 * prompt's chained block hashes are matched against what this gateway sent where
 * (`RoutingState.prefixIndex`); among endpoints that pass the load guards
 * ({@link eligibleForPrefix}) the longest leading match wins, then fewer requests in flight.
 * Only every `indexStrideBlocks`-th block hash is indexed (default 4: 64-token steps), which
 * quarters the index work and memory at no cost that matters to routing (see `sampleChain`).
 * Score = match ratio (matched / indexed blocks) with a sub-block in-flight tie-break, on a fixed
 * 0–1 scale (`absolute`); endpoints outside the guards score 0. After the pick every block is
 * attributed to the chosen endpoint (optimistic, as AIBrix and llm-d do), which keeps at most its
 * engine's KV capacity (`kvCapacityTokens`, else the configured default) of them. Engine reports
 * correct the index (restart, over-promise; see PrefixIndex); stale reports are not used for
 * corrections, and the guards use the gateway's own counts, so staleness does not affect the score.
 */
export const prefixCache: RoutingAlgorithm = {
  name: 'prefix-cache',
  polarity: 'higher-is-better',
  normalization: 'absolute',
  description: 'longest cached prompt prefix among endpoints that are not overloaded',
  score: (snapshot, request, { state }) => {
    const index = state.prefixIndex;
    for (const e of snapshot.endpoints) index.observe(e);
    const hashes = hashesFor(request, state);
    const c = state.config.prefixCache;
    const eligible = eligibleForPrefix(snapshot.endpoints, c.imbalanceAbsCount, c.stdDevFactor);
    return scoreWithIndex(snapshot.endpoints, hashes, index, eligible, snapshot.nowMs);
  },
  onRouted: (chosen, request, { state }, snapshot) => {
    const index = state.prefixIndex;
    const hashes = hashesFor(request, state);
    const matched =
      index.memo?.matched.get(chosen.id) ??
      index.match(hashes, [index.genOf(chosen.id)], snapshot.nowMs)[0] ??
      0;
    const c = state.config.prefixCache;
    const tokensPerIndexedBlock = c.blockSizeTokens * c.indexStrideBlocks;
    index.notePrediction(chosen.id, request.promptTokens, matched * tokensPerIndexedBlock);
    index.insert(hashes, chosen.id, snapshot.nowMs, chosen.metrics?.scrape.kvCapacityTokens);
    index.memo = undefined;
  },
};
