/**
 * What `bench kv-bound` reports, from its replays: one row per mode × rate scale, the ratios of
 * mean TTFT the issue asks about, and the verdict on issue #14's goal (a KV tier cutting mean
 * TTFT to ≤ 0.7 × `prefix-cache`'s at a load where `prefix-cache` beats random). Pure.
 */
import { quantile } from './latency-stats.js';
import type { BoundRun } from './kv-bound-tally.js';
import type { BoundMode } from './kv-bound-modes.js';

/** The goal's ratio (issue #14; kv-trace-modes.ts L1_TTFT_GOAL). */
export const BOUND_TTFT_GOAL = 0.7;

/** One mode at one rate scale. Times are trace time (arrivals compressed by the rate scale). */
export interface BoundRow {
  readonly mode: BoundMode;
  readonly rateScale: number;
  readonly requests: number;
  readonly completed: number;
  readonly refused: number;
  readonly ttftMeanMs: number;
  readonly ttftP50Ms: number;
  readonly ttftP99Ms: number;
  /** Mean arrival → first scheduled. */
  readonly queueMeanMs: number;
  /** Completed requests and output tokens per second, first arrival → last finish. */
  readonly requestsPerS: number;
  readonly outputTokensPerS: number;
  /** Shares of the completed requests' prompt tokens, at their first admission. */
  readonly computedShare: number;
  readonly gpuHitShare: number;
  readonly loadedShare: number;
  /** The engines' own counter (vllm:prefix_cache_hits ÷ queries), re-admissions included. */
  readonly engineHitRatio: number;
  readonly preemptions: number;
  /** Oracle loads over a link and their mean modeled transfer, ms. */
  readonly loads: number;
  readonly transferMeanMs: number;
  readonly steps: number;
  /** CPU seconds the replay took (this process). */
  readonly cpuSeconds: number;
}

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const r1 = (v: number): number => Math.round(v * 10) / 10;

/** The row of one replay. */
export function boundRow(
  mode: BoundMode,
  rateScale: number,
  run: BoundRun,
  cpuSeconds: number,
): BoundRow {
  const sorted = Float64Array.from(run.ttftS).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  let queued = 0;
  for (const v of run.queueS) queued += v;
  const n = sorted.length;
  const share = (tokens: number): number => r3(tokens / run.promptTokens);
  return {
    mode,
    rateScale,
    requests: run.requests,
    completed: run.completed,
    refused: run.refused,
    ttftMeanMs: r1((sum / n) * 1000),
    ttftP50Ms: r1(quantile(Array.from(sorted), 0.5) * 1000),
    ttftP99Ms: r1(quantile(Array.from(sorted), 0.99) * 1000),
    queueMeanMs: r1((queued / n) * 1000),
    requestsPerS: r3(run.completed / run.lastFinishS),
    outputTokensPerS: r1(run.outputTokens / run.lastFinishS),
    computedShare: share(run.computedTokens),
    gpuHitShare: share(run.gpuHitTokens),
    loadedShare: share(run.loadedTokens),
    engineHitRatio: r3(run.engineHitTokens / run.engineQueryTokens),
    preemptions: run.preemptions,
    loads: run.loads,
    transferMeanMs: run.loads === 0 ? 0 : r1((run.transferS / run.loads) * 1000),
    steps: run.steps,
    cpuSeconds: r1(cpuSeconds),
  };
}

/** Mean-TTFT ratios at one rate scale; NaN where a mode was not run. */
export interface BoundRatios {
  readonly rateScale: number;
  readonly prefixVsRandom: number;
  readonly prefixBeatsRandom: boolean;
  readonly gpuExactVsPrefix: number;
  readonly oracleFreeVsPrefix: number;
  readonly oracleLinkVsPrefix: number;
  readonly oracleL1VsPrefix: number;
  /** (c)'s routing over those tiers (`precise-l1`, `precise-l1-nodes`). */
  readonly preciseL1VsPrefix: number;
  readonly preciseL1NodesVsPrefix: number;
}

/** The ratios at each rate scale of `rows`, ascending. */
export function boundRatios(rows: readonly BoundRow[]): BoundRatios[] {
  const scales = [...new Set(rows.map((r) => r.rateScale))].sort((a, b) => a - b);
  return scales.map((rateScale) => {
    const mean = (mode: BoundMode): number =>
      rows.find((r) => r.rateScale === rateScale && r.mode === mode)?.ttftMeanMs ?? NaN;
    const prefix = mean('prefix');
    const vsRandom = r3(prefix / mean('random'));
    return {
      rateScale,
      prefixVsRandom: vsRandom,
      prefixBeatsRandom: vsRandom < 1,
      gpuExactVsPrefix: r3(mean('gpu-exact') / prefix),
      oracleFreeVsPrefix: r3(mean('oracle-free') / prefix),
      oracleLinkVsPrefix: r3(mean('oracle-link') / prefix),
      oracleL1VsPrefix: r3(mean('oracle-l1') / prefix),
      preciseL1VsPrefix: r3(mean('precise-l1') / prefix),
      preciseL1NodesVsPrefix: r3(mean('precise-l1-nodes') / prefix),
    };
  });
}

/** Whether any KV tier could meet the goal, and where. */
export interface BoundVerdict {
  readonly goal: string;
  /** Rate scales where prefix beats random (the goal's precondition). */
  readonly prefixBeatsRandomAt: readonly number[];
  /** Of those, where the oracles' mean TTFT is ≤ the goal × prefix's. */
  readonly oracleFreeMeetsAt: readonly number[];
  readonly oracleLinkMeetsAt: readonly number[];
  /** Where the L1-sized oracle meets it (none when `oracle-l1` was not run). */
  readonly oracleL1MeetsAt: readonly number[];
  /** The lowest oracle ÷ prefix ratios where prefix beats random (NaN: no such scale). */
  readonly bestOracleFreeVsPrefix: number;
  readonly bestOracleLinkVsPrefix: number;
  readonly bestOracleL1VsPrefix: number;
  /** True when even the link-priced oracle meets the goal somewhere it applies. */
  readonly reachable: boolean;
  readonly summary: string;
}

/** Judges the ratios against the goal. */
export function boundVerdict(ratios: readonly BoundRatios[]): BoundVerdict {
  const applies = ratios.filter((r) => r.prefixBeatsRandom);
  const meets = (pick: (r: BoundRatios) => number): number[] =>
    applies.filter((r) => pick(r) <= BOUND_TTFT_GOAL).map((r) => r.rateScale);
  const best = (pick: (r: BoundRatios) => number): number =>
    applies.length === 0 ? NaN : Math.min(...applies.map(pick));
  const free = meets((r) => r.oracleFreeVsPrefix);
  const link = meets((r) => r.oracleLinkVsPrefix);
  const l1 = meets((r) => r.oracleL1VsPrefix);
  const bestFree = best((r) => r.oracleFreeVsPrefix);
  const bestLink = best((r) => r.oracleLinkVsPrefix);
  const bestL1 = best((r) => r.oracleL1VsPrefix);
  const where = (scales: readonly number[]): string =>
    scales.length === 0 ? 'at no rate scale' : `at rate scale ${scales.join(', ')}`;
  const summary =
    applies.length === 0
      ? 'prefix never beats random in this sweep: the goal has no load to apply at'
      : `where prefix beats random (${applies.map((r) => r.rateScale).join(', ')}), ` +
        `oracle-link ≤ ${BOUND_TTFT_GOAL} × prefix ${where(link)} (best ${bestLink}), ` +
        `oracle-free ${where(free)} (best ${bestFree})` +
        (Number.isNaN(bestL1) ? '' : `, oracle-l1 ${where(l1)} (best ${bestL1})`);
  return {
    goal: `a KV tier's mean TTFT ≤ ${BOUND_TTFT_GOAL} × prefix's, at a load where prefix beats random`,
    prefixBeatsRandomAt: applies.map((r) => r.rateScale),
    oracleFreeMeetsAt: free,
    oracleLinkMeetsAt: link,
    oracleL1MeetsAt: l1,
    bestOracleFreeVsPrefix: bestFree,
    bestOracleLinkVsPrefix: bestLink,
    bestOracleL1VsPrefix: bestL1,
    reachable: link.length > 0,
    summary,
  };
}
