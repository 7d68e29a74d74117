/**
 * The routing benchmark's text outputs: a Markdown table of the per-strategy results and the
 * acceptance verdict (prefix-aware strategies cut mean TTFT ≥ 45% vs random with p99 TTFT no
 * worse than least-request, and no request fails). Pure.
 */
import type { StrategyResult } from './routing-stats.js';

/** Mean-TTFT cut that prefix-aware routing must reach vs random (perf.md §2.1: AIBrix ~45%). */
export const TTFT_CUT_TARGET = 0.45;

const f0 = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : 'n/a');
const f1 = (v: number): string => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const pct = (v: number): string => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');

/** Markdown table, one row per strategy; latencies in trace-time ms. */
export function resultTable(results: readonly StrategyResult[]): string {
  const head =
    '| strategy | ok/req | err | rej | TTFT mean | p50 | p90 | p99 | TPOT p50 | p99 | E2E p50 | p99 | out tok/s | hit (usage) | hit (engines) | engine TTFT mean | queue mean | per engine |';
  const rule = `|${head
    .split('|')
    .slice(1, -1)
    .map(() => '---')
    .join('|')}|`;
  const rows = results.map((r) =>
    [
      r.strategy,
      `${r.completed}/${r.requests}`,
      r.errors,
      r.rejected,
      f0(r.ttftMs.mean),
      f0(r.ttftMs.p50),
      f0(r.ttftMs.p90),
      f0(r.ttftMs.p99),
      f1(r.tpotMs.p50),
      f1(r.tpotMs.p99),
      f0(r.e2eMs.p50),
      f0(r.e2eMs.p99),
      f0(r.outputTokensPerS),
      pct(r.prefixHitRatioUsage),
      pct(r.prefixHitRatioEngines),
      f0(r.engineTtftMs.mean),
      f0(r.engineQueueMeanMs),
      Object.keys(r.perEngineRequests)
        .sort()
        .map((k) => r.perEngineRequests[k])
        .join('/'),
    ].join(' | '),
  );
  return [head, rule, ...rows.map((r) => `| ${r} |`)].join('\n');
}

/** One prefix-aware strategy against the targets. */
export interface StrategyVerdict {
  readonly strategy: string;
  readonly meanTtftCutVsRandom: number;
  readonly meetsTtftCut: boolean;
  readonly p99TtftMs: number;
  readonly leastRequestP99TtftMs: number;
  readonly p99NoWorseThanLeastRequest: boolean;
  readonly noFailures: boolean;
  readonly met: boolean;
}

/** Verdicts for `prefix-cache` and `auto` when `random` and `least-request` were run too. */
export function acceptance(results: readonly StrategyResult[]): StrategyVerdict[] {
  const by = new Map(results.map((r) => [r.strategy, r]));
  const random = by.get('random');
  const lr = by.get('least-request');
  if (random === undefined || lr === undefined) return [];
  return ['prefix-cache', 'auto'].flatMap((name) => {
    const r = by.get(name);
    if (r === undefined) return [];
    const cut = 1 - r.ttftMs.mean / random.ttftMs.mean;
    const p99Ok = r.ttftMs.p99 <= lr.ttftMs.p99;
    const noFailures = r.errors === 0;
    return [
      {
        strategy: name,
        meanTtftCutVsRandom: Math.round(cut * 1000) / 1000,
        meetsTtftCut: cut >= TTFT_CUT_TARGET,
        p99TtftMs: r.ttftMs.p99,
        leastRequestP99TtftMs: lr.ttftMs.p99,
        p99NoWorseThanLeastRequest: p99Ok,
        noFailures,
        met: cut >= TTFT_CUT_TARGET && p99Ok && noFailures,
      },
    ];
  });
}
