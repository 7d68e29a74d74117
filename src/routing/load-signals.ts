/**
 * Shared handling of agent-reported load figures for the metric-based strategies: what a
 * missing or stale figure counts as.
 */
import type { EngineMetrics } from '../engine/index.js';
import type { EndpointLoad } from './routing-algorithm.js';

/** How far a stale figure is pulled toward the fresh mean: 0.5 = halfway. */
export const STALE_WEIGHT = 0.5;

/** The endpoint's metrics when they exist and are not stale; otherwise undefined. */
export function freshMetrics(endpoint: EndpointLoad): EngineMetrics | undefined {
  return endpoint.stale ? undefined : endpoint.metrics;
}

/**
 * Fills the gaps of a per-endpoint load figure so that "unknown" is neutral rather than best or
 * worst: a fresh figure counts as is; a stale one counts less — pulled {@link STALE_WEIGHT} of
 * the way toward the mean of the fresh figures; a missing one counts as that mean. Without any
 * fresh figure the stale ones stand in for the mean; without any figure at all every endpoint
 * gets 0 (all equal). Returns a new array; NaN never appears in it.
 */
export function imputeLoads(
  values: readonly (number | undefined)[],
  stale: readonly boolean[],
): number[] {
  let freshSum = 0;
  let freshCount = 0;
  let anySum = 0;
  let anyCount = 0;
  values.forEach((v, i) => {
    if (v === undefined || !Number.isFinite(v)) return;
    anySum += v;
    anyCount++;
    if (stale[i] !== true) {
      freshSum += v;
      freshCount++;
    }
  });
  const mean = freshCount > 0 ? freshSum / freshCount : anyCount > 0 ? anySum / anyCount : 0;
  return values.map((v, i) => {
    if (v === undefined || !Number.isFinite(v)) return mean;
    return stale[i] === true ? mean + (v - mean) * (1 - STALE_WEIGHT) : v;
  });
}

/** The scores of a figure read from each endpoint's metrics, with {@link imputeLoads} applied. */
export function imputedMetric(
  endpoints: readonly EndpointLoad[],
  read: (metrics: EngineMetrics) => number | undefined,
): number[] {
  return imputeLoads(
    endpoints.map((e) => (e.metrics === undefined ? undefined : read(e.metrics))),
    endpoints.map((e) => e.stale),
  );
}
