import { imputedMetric } from '../load-signals.js';
import type { RoutingAlgorithm } from '../routing-algorithm.js';

/**
 * Least token throughput load: `2 × prompt tokens/s + generation tokens/s` over the agent's
 * window (EngineWindow). AIBrix scores `2·avg prompt + avg generation tokens per request` from a
 * 1-day PromQL query; we keep its 2:1 weighting of prefill to decode but use the live rates the
 * agents already report, so no Prometheus is needed and the signal follows load within a window.
 * A window of 0 ms (one scrape so far) is unknown; stale figures count less and unknown ones
 * count as the fresh mean (`imputeLoads`).
 */
export const throughput: RoutingAlgorithm = {
  name: 'throughput',
  polarity: 'lower-is-better',
  description: 'least token throughput (2×prompt + generation tokens/s) in the agent window',
  score: (snapshot) =>
    imputedMetric(snapshot.endpoints, ({ window: w }) =>
      w.windowMs > 0 ? 2 * w.promptTokensPerSecond + w.generationTokensPerSecond : undefined,
    ),
};
