import type { EngineMetrics } from '../../engine/index.js';
import { imputedMetric } from '../load-signals.js';
import type { RoutingAlgorithm } from '../routing-algorithm.js';

/**
 * Busy time of an engine, in engine-seconds of request execution per wall-clock second: the
 * prefill + decode time of the requests that finished in the agent's window divided by the
 * window (= requests/s × (mean prefill + mean decode)), i.e. by Little's law the mean number of
 * requests executing over the window. AIBrix's `gpu_busy_time_ratio` has no vLLM source; this
 * is the closest figure the agents report. With nothing finished in the window it falls back
 * to the requests running now, so a busy engine whose requests are all long still reads busy.
 */
export function busyTimeRatio(metrics: EngineMetrics): number | undefined {
  const w = metrics.window;
  if (w.windowMs <= 0) return undefined;
  if (w.requestsPerSecond <= 0) return metrics.scrape.numRequestsRunning;
  return w.requestsPerSecond * ((w.meanPrefillSeconds ?? 0) + (w.meanDecodeSeconds ?? 0));
}

/**
 * Least busy engine by {@link busyTimeRatio}. Stale figures count less and a window that is
 * unknown for now counts as the fresh mean (`imputeLoads`). Without data (no metrics, or no
 * request counters in the engine's dialect) on any candidate, every candidate is scored on the
 * gateway's in-flight counts instead (`gatewayLoadScores`): unknown is not idle.
 */
export const leastBusyTime: RoutingAlgorithm = {
  name: 'least-busy-time',
  polarity: 'lower-is-better',
  description: 'least engine busy time (request-seconds executed per second) in the agent window',
  score: (snapshot) =>
    imputedMetric(snapshot.endpoints, busyTimeRatio, (m) => m.scrape.hasRequestCounters !== false),
};
