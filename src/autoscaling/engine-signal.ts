/**
 * The `engine` source's value: one engine metric from the agents' latest reports, averaged over
 * the target's engines that have one (per pod, the unit of every target value). Engines without
 * metrics (not yet scraped, stale scrape) are left out rather than counted as idle; when none has
 * the metric the value is undefined (a failed sample, not a zero). Pure.
 */
import type { EngineMetrics } from '../engine/index.js';
import type { EngineMetricName } from './pod-autoscaler.js';

/** One engine metric from one engine's report; undefined when the engine does not expose it. */
export function engineMetricValue(
  metrics: EngineMetrics,
  metric: EngineMetricName,
): number | undefined {
  const { scrape, window } = metrics;
  switch (metric) {
    case 'num_requests_running':
      return scrape.numRequestsRunning;
    case 'num_requests_waiting':
      return scrape.numRequestsWaiting;
    case 'kv_cache_usage':
      return scrape.kvCacheUsageRatio;
    case 'prompt_throughput':
      return window.windowMs > 0 ? window.promptTokensPerSecond : undefined;
    case 'generation_throughput':
      return window.windowMs > 0 ? window.generationTokensPerSecond : undefined;
    case 'ttft_seconds':
      return window.meanTtftSeconds;
  }
}

/** The per-engine average of `metric` over engines with metrics; undefined when none has it. */
export function averageEngineMetric(
  engines: readonly { readonly metrics?: EngineMetrics | undefined }[],
  metric: EngineMetricName,
): number | undefined {
  let sum = 0;
  let count = 0;
  for (const e of engines) {
    const v = e.metrics === undefined ? undefined : engineMetricValue(e.metrics, metric);
    if (v === undefined || !Number.isFinite(v)) continue;
    sum += v;
    count++;
  }
  return count === 0 ? undefined : sum / count;
}
