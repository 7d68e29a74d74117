/**
 * The autoscaling benchmark's figures, from a strategy's trace: scale direction changes
 * (oscillations), TTFT mean and p99, SLO attainment, replica-seconds (cost) and the time from a
 * load step to added capacity; and each strategy's ratios against HPA in the same run. Pure.
 */
import { quantile } from './latency-stats.js';

/**
 * Scale direction changes: how often a scale event goes the other way from the one before it
 * (up then down, or down then up). A run that only rises has none.
 */
export function countOscillations(events: readonly { from: number; to: number }[]): number {
  let flips = 0;
  let previous = 0;
  for (const e of events) {
    const direction = Math.sign(e.to - e.from);
    if (direction === 0) continue;
    if (previous !== 0 && direction !== previous) flips++;
    previous = direction;
  }
  return flips;
}

/**
 * Pod-seconds paid for in [0, endS]: each pod from its creation (a starting pod holds its GPU)
 * until it is gone (NaN: still there at the end).
 */
export function replicaSeconds(
  pods: readonly { createdS: number; goneS: number }[],
  endS: number,
): number {
  let total = 0;
  for (const p of pods) {
    const from = Math.min(Math.max(0, p.createdS), endS);
    const to = Number.isNaN(p.goneS) ? endS : Math.min(Math.max(from, p.goneS), endS);
    total += to - from;
  }
  return total;
}

/** TTFT figures of a run; requests never served count against the SLO, not in the means. */
export interface TtftFigures {
  readonly requests: number;
  /** Requests that got a first token. */
  readonly served: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Fraction of all requests whose TTFT is at most the target, 0–1. */
  readonly sloAttainment: number;
}

const round = (v: number, digits = 1): number =>
  Number.isFinite(v) ? Number(v.toFixed(digits)) : NaN;

/** TTFT mean, p50, p99 (ms) and SLO attainment against `sloTtftS`. */
export function ttftFigures(outcomes: readonly { ttftS: number }[], sloTtftS: number): TtftFigures {
  const served = outcomes.map((o) => o.ttftS).filter((v) => Number.isFinite(v));
  const sorted = served.map((s) => s * 1000).sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const within = served.filter((v) => v <= sloTtftS).length;
  return {
    requests: outcomes.length,
    served: served.length,
    meanMs: round(sorted.length === 0 ? NaN : sum / sorted.length),
    p50Ms: round(quantile(sorted, 0.5)),
    p99Ms: round(quantile(sorted, 0.99)),
    sloAttainment: outcomes.length === 0 ? 1 : round(within / outcomes.length, 4),
  };
}

/**
 * Seconds from each load step until a pod created at or after it is ready (capacity added in
 * answer to it); null when none is ready before the next step (or the end).
 */
export function timeToCapacity(
  stepsS: readonly number[],
  pods: readonly { createdS: number; readyS: number }[],
  endS: number,
): (number | null)[] {
  return stepsS.map((s, i) => {
    const until = stepsS[i + 1] ?? endS;
    let first = Infinity;
    for (const p of pods) {
      if (p.createdS >= s && Number.isFinite(p.readyS) && p.readyS <= until)
        first = Math.min(first, p.readyS);
    }
    return Number.isFinite(first) ? round(first - s) : null;
  });
}

/** The mean of the non-null values; null when there are none. */
export function meanOfKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : round(known.reduce((a, b) => a + b, 0) / known.length);
}

/** `value / base`, rounded; null when the base is 0 or either is not a number. */
export function ratio(value: number, base: number): number | null {
  if (!Number.isFinite(value) || !Number.isFinite(base) || base === 0) return null;
  return round(value / base, 3);
}
