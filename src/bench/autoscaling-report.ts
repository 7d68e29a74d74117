/**
 * The autoscaling benchmark's result: per workload and strategy the figures of
 * autoscaling-metrics.ts with ratios against HPA in the same run, the issue's goal checked (not
 * assumed) per strategy, and a text table. Pure.
 */
import {
  countOscillations,
  meanOfKnown,
  ratio,
  replicaSeconds,
  timeToCapacity,
  ttftFigures,
  type TtftFigures,
} from './autoscaling-metrics.js';
import type { StrategyTrace } from './autoscaling-run.js';

/** One strategy on one workload. */
export interface StrategyFigures {
  readonly strategy: string;
  readonly scaleEvents: number;
  readonly oscillations: number;
  readonly ttft: TtftFigures;
  readonly replicaSeconds: number;
  readonly meanReplicas: number;
  readonly peakReplicas: number;
  /** Per load step, seconds to a ready pod created after it (null: none before the next step). */
  readonly timeToCapacityS: readonly (number | null)[];
  readonly meanTimeToCapacityS: number | null;
  /** Ratios against HPA on the same workload (HPA's own are 1). */
  readonly vsHpa: {
    readonly oscillations: number | null;
    readonly replicaSeconds: number | null;
    readonly meanTtft: number | null;
    readonly p99Ttft: number | null;
  };
  /** Replicas at each change: [seconds, replicas]. */
  readonly replicas: readonly (readonly [number, number])[];
}

/** The issue's goal against HPA: −50% oscillations, lower cost, p99 TTFT equal or better. */
export interface GoalCheck {
  readonly strategy: string;
  readonly halfTheOscillations: boolean;
  readonly lowerReplicaSeconds: boolean;
  readonly p99NoWorse: boolean;
  readonly met: boolean;
}

/** Figures of one strategy's trace over a workload of `durationS` with these load steps. */
export function strategyFigures(
  trace: StrategyTrace,
  durationS: number,
  loadStepsS: readonly number[],
  sloTtftS: number,
): Omit<StrategyFigures, 'vsHpa'> {
  const cost = replicaSeconds(trace.pods, durationS);
  const steps = timeToCapacity(loadStepsS, trace.pods, durationS);
  const replicas: [number, number][] = [[0, trace.timeline[0]?.replicas ?? 1]];
  for (const e of trace.events) replicas.push([e.atS, e.to]);
  return {
    strategy: trace.strategy,
    scaleEvents: trace.events.length,
    oscillations: countOscillations(trace.events),
    ttft: ttftFigures(trace.outcomes, sloTtftS),
    replicaSeconds: Math.round(cost),
    meanReplicas: Number((cost / durationS).toFixed(2)),
    peakReplicas: Math.max(...replicas.map(([, r]) => r)),
    timeToCapacityS: steps,
    meanTimeToCapacityS: meanOfKnown(steps),
    replicas,
  };
}

/** Adds the ratios against the HPA entry of the same list (null ratios when HPA did not run). */
export function withHpaRatios(list: readonly Omit<StrategyFigures, 'vsHpa'>[]): StrategyFigures[] {
  const hpa = list.find((f) => f.strategy === 'HPA');
  return list.map((f) => ({
    ...f,
    vsHpa: {
      oscillations: hpa === undefined ? null : ratio(f.oscillations, hpa.oscillations),
      replicaSeconds: hpa === undefined ? null : ratio(f.replicaSeconds, hpa.replicaSeconds),
      meanTtft: hpa === undefined ? null : ratio(f.ttft.meanMs, hpa.ttft.meanMs),
      p99Ttft: hpa === undefined ? null : ratio(f.ttft.p99Ms, hpa.ttft.p99Ms),
    },
  }));
}

/** Sums a strategy's figures over every workload, for the overall goal check. */
export interface StrategyTotals {
  readonly strategy: string;
  readonly oscillations: number;
  readonly replicaSeconds: number;
  /** The worst (highest) p99 TTFT over the workloads, ms. */
  readonly worstP99TtftMs: number;
  readonly p99TtftMs: readonly number[];
  readonly sloAttainment: number;
}

/** Totals per strategy over workloads (each workload's list in the same strategy order). */
export function strategyTotals(
  perWorkload: readonly (readonly StrategyFigures[])[],
): StrategyTotals[] {
  const names = perWorkload[0]?.map((f) => f.strategy) ?? [];
  return names.map((strategy) => {
    const rows = perWorkload.map((w) => w.find((f) => f.strategy === strategy) as StrategyFigures);
    const requests = rows.reduce((a, r) => a + r.ttft.requests, 0);
    const within = rows.reduce((a, r) => a + r.ttft.sloAttainment * r.ttft.requests, 0);
    const p99 = rows.map((r) => r.ttft.p99Ms);
    return {
      strategy,
      oscillations: rows.reduce((a, r) => a + r.oscillations, 0),
      replicaSeconds: rows.reduce((a, r) => a + r.replicaSeconds, 0),
      worstP99TtftMs: Math.max(...p99),
      p99TtftMs: p99,
      sloAttainment: requests === 0 ? 1 : Number((within / requests).toFixed(4)),
    };
  });
}

/**
 * The goal per strategy on every workload: oscillations at most half of HPA's total, total
 * replica-seconds below HPA's, and on each workload a p99 TTFT no higher than HPA's.
 */
export function goalChecks(totals: readonly StrategyTotals[]): GoalCheck[] {
  const hpa = totals.find((t) => t.strategy === 'HPA');
  if (hpa === undefined) return [];
  return totals
    .filter((t) => t.strategy !== 'HPA')
    .map((t) => {
      const halfTheOscillations = t.oscillations <= hpa.oscillations / 2;
      const lowerReplicaSeconds = t.replicaSeconds < hpa.replicaSeconds;
      const p99NoWorse = t.p99TtftMs.every((v, i) => v <= (hpa.p99TtftMs[i] as number));
      return {
        strategy: t.strategy,
        halfTheOscillations,
        lowerReplicaSeconds,
        p99NoWorse,
        met: halfTheOscillations && lowerReplicaSeconds && p99NoWorse,
      };
    });
}

const pad = (s: string, n: number): string => s.padEnd(n);
const fmtRatio = (r: number | null): string => (r === null ? '–' : `×${r.toFixed(2)}`);

/** A plain-text table: one block per workload, one row per strategy. */
export function resultTable(
  workloads: readonly { pattern: string; strategies: readonly StrategyFigures[] }[],
): string {
  const lines: string[] = [];
  for (const w of workloads) {
    lines.push(
      w.pattern,
      `  ${pad('strategy', 14)}${pad('osc', 6)}${pad('events', 8)}${pad('mean TTFT', 12)}${pad('p99 TTFT', 12)}${pad('SLO', 8)}${pad('replica-s', 11)}${pad('to capacity', 13)}vs HPA (osc, cost, p99)`,
    );
    for (const f of w.strategies) {
      const toCap = f.meanTimeToCapacityS === null ? '–' : `${f.meanTimeToCapacityS} s`;
      lines.push(
        `  ${pad(f.strategy, 14)}${pad(String(f.oscillations), 6)}${pad(String(f.scaleEvents), 8)}${pad(`${f.ttft.meanMs} ms`, 12)}${pad(`${f.ttft.p99Ms} ms`, 12)}${pad(`${(f.ttft.sloAttainment * 100).toFixed(1)}%`, 8)}${pad(String(f.replicaSeconds), 11)}${pad(toCap, 13)}${fmtRatio(f.vsHpa.oscillations)} ${fmtRatio(f.vsHpa.replicaSeconds)} ${fmtRatio(f.vsHpa.p99Ttft)}`,
      );
    }
  }
  return lines.join('\n');
}
