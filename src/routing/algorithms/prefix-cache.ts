import {
  firstL1Absent,
  l1BlockWorth,
  type KvLoadHint,
  promptBlockHashes,
  type PrefixCacheIndex,
  type PrefixMemo,
} from '../../kvcache/index.js';
import type {
  CandidatePreference,
  EndpointLoad,
  RoutingAlgorithm,
  RoutingContext,
  RoutingRequest,
  ShortlistCandidate,
} from '../routing-algorithm.js';
import { preciseHitTokens } from './prefix-cache-precise.js';

/** The request's memo: its sampled hashes for the approximate index and its whole chain. */
function memoFor(request: RoutingRequest, index: PrefixCacheIndex): PrefixMemo {
  if (index.memo?.request === request) return index.memo;
  const c = index.config;
  const chain = promptBlockHashes(
    request.promptText,
    c.blockSizeTokens,
    c.maxPromptBlocks,
    request.adapter,
  );
  const hashes = sampleChain(chain, c.indexStrideBlocks);
  index.memo = { request, hashes, chain, matched: new Map() };
  return index.memo;
}

const hashesFor = (request: RoutingRequest, index: PrefixCacheIndex): number[] =>
  memoFor(request, index).hashes;

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
  const n = endpoints.length;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const e of endpoints) {
    const l = e.inFlight;
    if (l < min) min = l;
    if (l > max) max = l;
    sum += l;
  }
  const out = new Array<boolean>(n);
  if (max - min > imbalanceAbsCount) {
    for (let i = 0; i < n; i++) out[i] = (endpoints[i] as EndpointLoad).inFlight === min;
    return out;
  }
  const mean = sum / n;
  let squares = 0;
  for (const e of endpoints) squares += (e.inFlight - mean) ** 2;
  const variance = n > 1 ? squares / (n - 1) : 0;
  const bound = mean + stdDevFactor * Math.sqrt(variance);
  for (let i = 0; i < n; i++) out[i] = (endpoints[i] as EndpointLoad).inFlight <= bound;
  return out;
}

/**
 * Ranks the eligible endpoints by the prefill work that stands between this request and its
 * first token there: the prompt tokens already queued for prefill on the endpoint plus the part
 * of this prompt it does not hold. With no queue anywhere this is AIBrix's longest match; with
 * queues it weighs a match against the wait in the same unit (tokens), so a holder buried under
 * other prompts is not chosen for a match worth less than its queue — the stickiness that plain
 * longest-match pays for under load. Scores are 1 − cost / (largest queue + prompt), on a fixed
 * 0–1 scale, with a sub-token in-flight tie-break; ineligible endpoints score 0.
 */
function scoreWithIndex(
  endpoints: readonly EndpointLoad[],
  request: RoutingRequest,
  memo: PrefixMemo,
  ctx: RoutingContext,
  eligible: readonly boolean[],
  nowMs: number,
): number[] {
  const index = ctx.prefixIndex;
  const hashes = memo.hashes;
  const n = endpoints.length;
  const gens = index.candidateGens(endpoints, eligible);
  let maxQueued = 0;
  let maxInFlight = 0;
  for (let i = 0; i < n; i++) {
    const e = endpoints[i] as EndpointLoad;
    if (e.pendingPrefillTokens > maxQueued) maxQueued = e.pendingPrefillTokens;
    if (e.inFlight > maxInFlight) maxInFlight = e.inFlight;
  }
  const matched = index.match(hashes, gens, nowMs);
  // Only holders are remembered: an absent candidate matched nothing.
  for (let i = 0; i < n; i++)
    if ((matched[i] as number) > 0)
      memo.matched.set((endpoints[i] as EndpointLoad).id, matched[i] as number);
  memo.scored = true;
  const c = index.config;
  const chain = memo.chain ?? [];
  const precise = preciseHitTokens(
    endpoints,
    chain,
    ctx.blockIndex,
    c,
    eligible,
    matched,
    memo.blockHolders,
  );
  // A prompt routed to an engine moments ago shows in its KV events only once prefilled and
  // reported: until then this gateway's own recent picks count too (llm-d's speculative
  // entries), or a burst of a new prompt would scatter over ties. Mode `precise` is events only.
  // Recent blocks are a subset of matched ones: no match at all means no second walk.
  const recent =
    precise !== undefined && c.mode === 'auto' && c.speculativeMs > 0 && memo.matched.size > 0
      ? index.match(hashes, gens, nowMs, c.speculativeMs)
      : undefined;
  const tokensPerIndexedBlock = c.blockSizeTokens * c.indexStrideBlocks;
  const prompt = Math.max(request.promptTokens, hashes.length * tokensPerIndexedBlock);
  const scale = maxQueued + prompt + 1;
  // The in-flight tie-break stays below one token's share of the scale.
  const loadShare = 1 / (2 * scale);
  const scores = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (eligible[i] !== true) {
      scores[i] = 0;
      continue;
    }
    const e = endpoints[i] as EndpointLoad;
    const approximate = (matched[i] as number) * tokensPerIndexedBlock;
    const p = precise?.[i];
    const speculative = (recent?.[i] ?? 0) * tokensPerIndexedBlock;
    const hit = p === undefined || Number.isNaN(p) ? approximate : Math.max(p, speculative);
    const uncached = Math.max(0, prompt - hit);
    const cost = e.pendingPrefillTokens + uncached;
    scores[i] =
      (1 - cost / scale) * (1 - loadShare) + loadShare * (1 - e.inFlight / (maxInFlight + 1));
  }
  return scores;
}

/**
 * For a shortlisted pick (shortlist.ts): the prompt tokens each candidate holds as far as the
 * indexes tell from the holders' side — the approximate index's match, the engine's GPU prefix
 * and its node's L1 run from the chain's start (at the fetch discount), whichever is longest.
 * Undefined when nobody holds any of the prompt. A ranking, not the score: the score still
 * weighs each kept candidate's queue.
 */
function holderPreference(
  request: RoutingRequest,
  ctx: RoutingContext,
  nowMs: number,
): CandidatePreference | undefined {
  const index = ctx.prefixIndex;
  const memo = memoFor(request, index);
  const c = index.config;
  const approximate = index.holders(memo.hashes, nowMs);
  const view = c.mode === 'approximate' ? undefined : ctx.blockIndex;
  const chain = memo.chain ?? [];
  const gpu = view?.gpuPrefixHolders(chain);
  const worth = l1BlockWorth(c);
  const l1 = view !== undefined && worth > 0 ? view.l1PrefixHolders(chain, 0) : undefined;
  if (gpu !== undefined) memo.blockHolders = { gpu, ...(l1 === undefined ? {} : { l1 }) };
  if (approximate.size === 0 && (gpu?.size ?? 0) === 0 && (l1?.size ?? 0) === 0) return undefined;
  const tokensPerIndexedBlock = c.blockSizeTokens * c.indexStrideBlocks;
  const rank = (e: ShortlistCandidate): number =>
    Math.max(
      (approximate.get(e.id) ?? 0) * tokensPerIndexedBlock,
      (gpu?.get(e.id) ?? 0) * c.blockSizeTokens,
      (l1?.get(e.node) ?? 0) * worth * c.blockSizeTokens,
    );
  // Every engine ranked above 0 is a holder named here, so the shortlist asks about no other.
  const ids = [...approximate.keys(), ...(gpu?.keys() ?? [])];
  return Object.assign(rank, { named: { ids, nodes: l1?.keys() ?? [] } });
}

/**
 * After a precise pick, the chosen engine's KV load hint (kv-load-hint.ts), when its node runs an
 * L1 store its connector may look up; undefined otherwise.
 */
function loadHintFor(
  chosen: EndpointLoad,
  request: RoutingRequest,
  memo: PrefixMemo | undefined,
  { prefixIndex, blockIndex: view }: RoutingContext,
): KvLoadHint | undefined {
  const chain = memo?.request === request ? memo.chain : undefined;
  if (view?.hasL1Store?.(chosen.node) !== true || chain === undefined) return undefined;
  if (prefixIndex.config.mode === 'approximate') return undefined;
  const absent = firstL1Absent(view, chain, chosen.id, memo?.blockHolders?.gpu);
  return absent === undefined ? undefined : { request, engineId: chosen.id, absent };
}

/**
 * Prefix-cache affinity (AIBrix `prefix-cache`, approximate index as llm-d's default): the
 * prompt's chained block hashes are matched against what this gateway sent where
 * (the context's `prefixIndex`); among endpoints that pass the load guards
 * ({@link eligibleForPrefix}) the least prefill work wins: queued prompt tokens plus the part of
 * this prompt the endpoint does not hold ({@link scoreWithIndex}), then fewer requests in flight.
 * Only every `indexStrideBlocks`-th block hash is indexed (default 4: 64-token steps), which
 * quarters the index work and memory at no cost that matters to routing (see `sampleChain`).
 * After the pick every block is
 * attributed to the chosen endpoint (optimistic, as AIBrix and llm-d do), which keeps at most its
 * engine's KV capacity (`kvCapacityTokens`, else the configured default) of them. Engine reports
 * correct the index (restart, over-promise; see PrefixIndex); stale reports are not used for
 * corrections, and the guards use the gateway's own counts, so staleness does not affect the score.
 * Precise mode (`mode`, default `auto`): an engine that publishes KV events is scored from the
 * context's `blockIndex` instead — its longest prefix in GPU plus what its node's L1 store can
 * hand it at the fetch-cost discount (prefix-cache-precise.ts); the others keep the approximate
 * match, in the same unit (tokens), so both kinds of engine compete on one scale.
 */
export const prefixCache: RoutingAlgorithm = {
  name: 'prefix-cache',
  polarity: 'higher-is-better',
  normalization: 'absolute',
  description:
    'least prefill work — queued prompt tokens plus the uncached part of the prompt — among endpoints that are not overloaded',
  score: (snapshot, request, ctx) => {
    const index = ctx.prefixIndex;
    const memo = memoFor(request, index);
    const c = index.config;
    const eligible = eligibleForPrefix(snapshot.endpoints, c.imbalanceAbsCount, c.stdDevFactor);
    return scoreWithIndex(snapshot.endpoints, request, memo, ctx, eligible, snapshot.nowMs);
  },
  preference: holderPreference,
  onRouted: (chosen, request, ctx, snapshot) => {
    const index = ctx.prefixIndex;
    const hashes = hashesFor(request, index);
    // Scored: the memo has every holder's match; otherwise (a mix whose scoring did not run
    // prefix-cache) match the winner alone.
    const memo = index.memo;
    const matched =
      memo?.request === request && memo.scored === true
        ? (memo.matched.get(chosen.id) ?? 0)
        : (index.match(hashes, [index.genOf(chosen.id)], snapshot.nowMs)[0] ?? 0);
    const c = index.config;
    const tokensPerIndexedBlock = c.blockSizeTokens * c.indexStrideBlocks;
    index.notePrediction(chosen.id, request.promptTokens, matched * tokensPerIndexedBlock);
    index.insert(hashes, chosen.id, snapshot.nowMs, chosen.metrics?.scrape.kvCapacityTokens);
    index.loadHint = loadHintFor(chosen, request, memo, ctx);
    index.memo = undefined;
  },
};
