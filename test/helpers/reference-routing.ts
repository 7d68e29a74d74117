/**
 * The straightforward routing pick as it was before the scale work (one array per strategy, a
 * candidate map per match, every candidate's match remembered): the reference that property
 * tests hold the optimized pick to. Only the parts the optimization rewrote are copied here;
 * strategies it did not touch are used as they are.
 */
import { imputeLoads, hasLoadData, gatewayLoadScores } from '../../src/routing/load-signals.js';
import { ALGORITHMS } from '../../src/routing/index.js';
import {
  GlobalBlockIndex,
  l1BlockWorth,
  promptBlockHashes,
  type PrefixCacheConfig,
  type PreciseBlockView,
} from '../../src/kvcache/index.js';
import { sampleChain } from '../../src/routing/algorithms/prefix-cache.js';
import type {
  EndpointLoad,
  Normalization,
  RoutingAlgorithm,
  RoutingContext,
  RoutingRequest,
  StrategyMix,
} from '../../src/routing/index.js';

function normalize(
  scores: readonly number[],
  lowerIsBetter: boolean,
  mode: Normalization,
): number[] {
  if (mode === 'absolute')
    return scores.map((s) => {
      if (Number.isNaN(s)) return 0;
      const unit = Math.min(1, Math.max(0, s));
      return lowerIsBetter ? 1 - unit : unit;
    });
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (Number.isNaN(s)) continue;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  return scores.map((s) => {
    if (Number.isNaN(s)) return 0;
    if (max === min) return 1;
    const unit = (s - min) / (max - min);
    return lowerIsBetter ? 1 - unit : unit;
  });
}

/** What the reference pick decided: the winner and every candidate's fused score. */
export interface ReferencePick {
  readonly chosen: string;
  readonly totals: readonly number[] | undefined;
}

/** The reference pick (no trace; throws when nothing is routable). */
export function referencePick(
  endpoints: readonly EndpointLoad[],
  nowMs: number,
  request: RoutingRequest,
  mix: StrategyMix,
  ctx: RoutingContext,
): ReferencePick {
  const candidates = endpoints.filter((e) => e.ready && e.healthy);
  if (candidates.length === 0) throw new Error('no ready endpoint');
  let chosen = candidates[0] as EndpointLoad;
  let totals: number[] | undefined;
  if (candidates.length > 1) {
    const view = { endpoints: candidates, nowMs };
    totals = new Array<number>(candidates.length).fill(0);
    const weightSum = mix.reduce((sum, m) => sum + m.weight, 0);
    for (const { algorithm, weight } of mix) {
      const normalized = normalize(
        algorithm.score(view, request, ctx),
        algorithm.polarity === 'lower-is-better',
        algorithm.normalization ?? 'min-max',
      );
      for (let i = 0; i < totals.length; i++)
        totals[i] = (totals[i] as number) + (normalized[i] ?? 0) * (weight / weightSum);
    }
    let best = -Infinity;
    let bestIndexes: number[] = [];
    totals.forEach((t, i) => {
      if (t > best + 1e-9) {
        best = t;
        bestIndexes = [i];
      } else if (Math.abs(t - best) <= 1e-9) bestIndexes.push(i);
    });
    chosen = candidates[
      bestIndexes[Math.floor(ctx.rng.next() * bestIndexes.length)] ?? 0
    ] as EndpointLoad;
  }
  for (const { algorithm } of mix) algorithm.onRouted?.(chosen, request, ctx, { endpoints, nowMs });
  return { chosen: chosen.id, totals };
}

/** The reference least-kv-cache: every(), two maps and imputeLoads. */
export const referenceLeastKvCache: RoutingAlgorithm = {
  ...(ALGORITHMS.get('least-kv-cache') as RoutingAlgorithm),
  score: ({ endpoints }) => {
    const exposes = (m: NonNullable<EndpointLoad['metrics']>) =>
      m.scrape.kvCacheUsageRatio !== undefined;
    if (!endpoints.every((e) => hasLoadData(e, exposes))) return gatewayLoadScores(endpoints);
    return imputeLoads(
      endpoints.map((e) => e.metrics?.scrape.kvCacheUsageRatio),
      endpoints.map((e) => e.stale),
    );
  },
};

/** The reference load guards: arrays, spreads and reduces. */
export function referenceEligible(
  endpoints: readonly EndpointLoad[],
  abs: number,
  k: number,
): boolean[] {
  const loads = endpoints.map((e) => e.inFlight);
  const n = loads.length;
  const min = Math.min(...loads);
  const max = Math.max(...loads);
  if (max - min > abs) return loads.map((l) => l === min);
  const mean = loads.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? loads.reduce((a, l) => a + (l - mean) ** 2, 0) / (n - 1) : 0;
  const bound = mean + k * Math.sqrt(variance);
  return loads.map((l) => l <= bound);
}

function referencePrecise(
  endpoints: readonly EndpointLoad[],
  chain: readonly number[],
  view: PreciseBlockView | undefined,
  config: PrefixCacheConfig,
  eligible: readonly boolean[],
): Float64Array | undefined {
  if (view === undefined || config.mode === 'approximate') return undefined;
  // Asked per candidate, as the scorer once did: only the index itself answers that way.
  if (!(view instanceof GlobalBlockIndex))
    throw new Error('the reference reads a GlobalBlockIndex, candidate by candidate');
  const precise = endpoints.map(
    (e, i) => eligible[i] === true && (config.mode === 'precise' || view.publishes(e.id)),
  );
  if (!precise.includes(true)) return undefined;
  const gpu = view.gpuPrefixBlocks(
    chain,
    endpoints.map((e, i) => (precise[i] ? e.id : '')),
  );
  const worth = l1BlockWorth(config);
  const nodes =
    worth > 0 ? [...new Set(endpoints.filter((_, i) => precise[i]).map((e) => e.node))] : [];
  const out = new Float64Array(endpoints.length);
  endpoints.forEach((e, i) => {
    if (!precise[i]) {
      out[i] = eligible[i] === true ? NaN : 0;
      return;
    }
    const inGpu = gpu[i] ?? 0;
    // The node's L1 run right past this engine's GPU prefix, one walk per candidate.
    const fetchable = nodes.length > 0 ? (view.l1PrefixBlocks(chain, [e.node], inGpu)[0] ?? 0) : 0;
    out[i] = (inGpu + fetchable * worth) * config.blockSizeTokens;
  });
  return out;
}

/**
 * The reference prefix-cache: observe and genOf per candidate, then each candidate's match on
 * its own (the definition a multi-candidate match must agree with), scored as before.
 */
export const referencePrefixCache: RoutingAlgorithm = {
  ...(ALGORITHMS.get('prefix-cache') as RoutingAlgorithm),
  score: ({ endpoints, nowMs }, request, ctx) => {
    const index = ctx.prefixIndex;
    for (const e of endpoints) index.observe(e);
    const c = index.config;
    const chain = promptBlockHashes(
      request.promptText,
      c.blockSizeTokens,
      c.maxPromptBlocks,
      request.adapter,
    );
    const hashes = sampleChain(chain, c.indexStrideBlocks);
    const eligible = referenceEligible(endpoints, c.imbalanceAbsCount, c.stdDevFactor);
    const matched = endpoints.map((e, i) =>
      eligible[i] === true ? (index.match(hashes, [index.genOf(e.id)], nowMs)[0] ?? 0) : 0,
    );
    const precise = referencePrecise(endpoints, chain, ctx.blockIndex, c, eligible);
    const perBlock = c.blockSizeTokens * c.indexStrideBlocks;
    const prompt = Math.max(request.promptTokens, hashes.length * perBlock);
    const scale = endpoints.reduce((m, e) => Math.max(m, e.pendingPrefillTokens), 0) + prompt + 1;
    const loadShare = 1 / (2 * scale);
    const maxInFlight = endpoints.reduce((m, e) => Math.max(m, e.inFlight), 0);
    return endpoints.map((e, i) => {
      if (eligible[i] !== true) return 0;
      const approximate = (matched[i] ?? 0) * perBlock;
      const recent =
        precise !== undefined && c.mode === 'auto' && c.speculativeMs > 0
          ? (index.match(hashes, [index.genOf(e.id)], nowMs, c.speculativeMs)[0] ?? 0)
          : 0;
      const hit =
        precise === undefined || Number.isNaN(precise[i])
          ? approximate
          : Math.max(precise[i] ?? 0, recent * perBlock);
      const cost = e.pendingPrefillTokens + Math.max(0, prompt - hit);
      return (
        (1 - cost / scale) * (1 - loadShare) + loadShare * (1 - e.inFlight / (maxInFlight + 1))
      );
    });
  },
};
