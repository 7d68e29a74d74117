/**
 * Shared handling of agent-reported load figures for the metric-based strategies: what a
 * missing or stale figure counts as, and what an engine without data is scored on.
 *
 * Two kinds of "missing" are told apart. A figure that is only missing for now (one scrape so
 * far, nothing finished in the window) is imputed as the mean of the others. An engine WITHOUT
 * DATA — no metrics ever reported (/metrics off, 401, no agent) or a dialect that does not expose
 * the figure — is not idle: when any candidate is without data, the strategy scores every
 * candidate on the gateway's own in-flight counts instead ({@link gatewayLoadScores}), because a
 * figure cannot be compared with a guess. Such an engine is then neither flooded nor starved.
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

/**
 * True when the endpoint has reported metrics and they expose the figure a strategy scores
 * (`exposes`, e.g. "the KV gauge is present"); false for an engine without data.
 */
export function hasLoadData(
  endpoint: EndpointLoad,
  exposes: (metrics: EngineMetrics) => boolean,
): boolean {
  return endpoint.metrics !== undefined && exposes(endpoint.metrics);
}

/**
 * Scores from the gateway's own counts, for when some candidate has no data: in-flight requests
 * over (the most in flight + 1), so the scores lie on [0, 1) and suit both `min-max` and
 * `absolute` strategies (lower is better).
 */
export function gatewayLoadScores(endpoints: readonly EndpointLoad[]): number[] {
  let most = 0;
  for (const e of endpoints) most = Math.max(most, e.inFlight);
  return endpoints.map((e) => e.inFlight / (most + 1));
}

/**
 * The scores of a figure read from each endpoint's metrics, with {@link imputeLoads} applied;
 * when any endpoint is without data (see `exposes` and {@link hasLoadData}), the gateway's own
 * counts for all ({@link gatewayLoadScores}).
 */
export function imputedMetric(
  endpoints: readonly EndpointLoad[],
  read: (metrics: EngineMetrics) => number | undefined,
  exposes: (metrics: EngineMetrics) => boolean,
): number[] {
  // imputeLoads over the read figures, fused into two passes without intermediate arrays: this
  // runs on every pick over every candidate.
  const n = endpoints.length;
  const values = new Array<number>(n);
  let freshSum = 0;
  let freshCount = 0;
  let anySum = 0;
  let anyCount = 0;
  for (let i = 0; i < n; i++) {
    const e = endpoints[i] as EndpointLoad;
    if (e.metrics === undefined || !exposes(e.metrics)) return gatewayLoadScores(endpoints);
    const v = read(e.metrics);
    if (v === undefined || !Number.isFinite(v)) {
      values[i] = NaN;
      continue;
    }
    values[i] = v;
    anySum += v;
    anyCount++;
    if (!e.stale) {
      freshSum += v;
      freshCount++;
    }
  }
  const mean = freshCount > 0 ? freshSum / freshCount : anyCount > 0 ? anySum / anyCount : 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) values[i] = mean;
    else if ((endpoints[i] as EndpointLoad).stale)
      values[i] = mean + (v - mean) * (1 - STALE_WEIGHT);
  }
  return values;
}
