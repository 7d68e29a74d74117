import { imputedMetric } from '../load-signals.js';
import type { RoutingAlgorithm } from '../routing-algorithm.js';

/**
 * Least token throughput load: `2 × prompt tokens/s + generation tokens/s` over the agent's
 * window (EngineWindow). AIBrix scores `2·avg prompt + avg generation tokens per request` from a
 * 1-day PromQL query; we keep its 2:1 weighting of prefill to decode but use the live rates the
 * agents already report, so no Prometheus is needed and the signal follows load within a window.
 * A window of 0 ms (one scrape so far) is unknown for now and counts as the fresh mean; stale
 * figures count less (`imputeLoads`). Without data (no metrics, or no token counters in the
 * engine's dialect) on any candidate, every candidate is scored on the gateway's in-flight counts
 * instead (`gatewayLoadScores`): unknown is not zero throughput.
 */
export const throughput: RoutingAlgorithm = {
  name: 'throughput',
  polarity: 'lower-is-better',
  description: 'least token throughput (2×prompt + generation tokens/s) in the agent window',
  score: (snapshot) =>
    imputedMetric(
      snapshot.endpoints,
      ({ window: w }) =>
        w.windowMs > 0 ? 2 * w.promptTokensPerSecond + w.generationTokensPerSecond : undefined,
      (m) => m.scrape.hasRequestCounters !== false,
    ),
};
