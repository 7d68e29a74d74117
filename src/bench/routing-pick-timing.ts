/**
 * Times routing picks for `bench routing-pick`: each pick whole — the shortlist where the case
 * has one, tokenization, block hashing, index match, score fusion and the post-route index
 * update — as the gateway runs it.
 */
import { PrefixIndex, type PreciseBlockView, type PrefixCacheMode } from '../kvcache/index.js';
import {
  createRoutingState,
  defaultRoutingConfig,
  parseStrategy,
  pick,
  shortlist,
  type EndpointLoad,
  type RoutingConfig,
  type StrategyMix,
} from '../routing/index.js';
import { SeededRng } from '../shared/index.js';
import { benchRequest } from './routing-pick-fixtures.js';

/** Wall-clock and CPU cost of single picks. */
export interface PickTiming {
  /** Wall-clock percentiles of single picks (include the noise of a shared machine). */
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Process CPU time per pick (user + system, all threads, GC included), ms: what a pick costs. */
  readonly cpuMsPerPick: number;
}

/** One timed case: a strategy spec, and the prefix mode and block index it runs with. */
export interface PickCase {
  readonly strategy: string;
  /** `prefix-cache`'s mode; default `auto` (approximate where there is no block index). */
  readonly mode?: PrefixCacheMode;
  readonly blockIndex?: PreciseBlockView;
  /** Every prompt starts differently: no match, every block is new to the index. */
  readonly cold?: boolean;
  /** Score a shortlist of at most this many candidates (routing/shortlist.ts), as the gateway does. */
  readonly maxScoredCandidates?: number;
}

function mixOf(spec: string): StrategyMix {
  const parsed = parseStrategy(spec);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.mix;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** The routing config of a case: the defaults with its prefix mode. */
function configOf(c: PickCase): RoutingConfig {
  const base = defaultRoutingConfig();
  return { ...base, prefixCache: { ...base.prefixCache, mode: c.mode ?? base.prefixCache.mode } };
}

/**
 * Times `picks` picks after 200 untimed ones. Warm: prompts cycle over the documents, each with
 * a fresh question (long matches, hot index). Cold: every prompt starts differently.
 */
export function timePicks(
  c: PickCase,
  endpoints: readonly EndpointLoad[],
  docs: readonly string[],
  picks: number,
): PickTiming {
  const mix = mixOf(c.strategy);
  const config = configOf(c);
  const ctx = {
    rng: new SeededRng(42),
    state: createRoutingState(config),
    prefixIndex: new PrefixIndex(config.prefixCache),
    ...(c.blockIndex === undefined ? {} : { blockIndex: c.blockIndex }),
  };
  const request = (i: number) => {
    const doc = docs[i % docs.length] ?? '';
    return benchRequest(c.cold === true ? `request ${i}: ${doc}` : `${doc} question ${i}?`, i);
  };
  const limit = c.maxScoredCandidates ?? 0;
  const routable = (e: EndpointLoad): boolean => e.ready && e.healthy;
  const pickOne = (nowMs: number, r: ReturnType<typeof request>): void => {
    const scored = shortlist(endpoints, r, mix, ctx, nowMs, { limit, routable });
    pick({ nowMs, endpoints: scored }, r, mix, ctx);
  };
  for (let i = 0; i < 200; i++) pickOne(i, request(i));
  const samples: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < picks; i++) {
    const r = request(i + 200);
    const t0 = performance.now();
    pickOne(200 + i, r);
    samples.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpuStart);
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    meanMs: Number(mean.toFixed(4)),
    p50Ms: Number(quantile(sorted, 0.5).toFixed(4)),
    p99Ms: Number(quantile(sorted, 0.99).toFixed(4)),
    cpuMsPerPick: Number(((cpu.user + cpu.system) / 1000 / picks).toFixed(4)),
  };
}
