/**
 * Metrics (STYLE.md §17): one prom-client Registry per process, built in main and passed down.
 * Nothing here touches prom-client's global registry.
 */
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prefix of every infernode metric: `infernode_<area>_<name>_<unit>`. */
export const METRIC_PREFIX = 'infernode_';

/** A fresh registry with Node's process metrics, for one process. */
export function createRegistry(options: { readonly defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/** Latency buckets (seconds) for the gateway's own added-latency histograms: 50 µs … 1 s. */
export const OVERHEAD_BUCKETS_SECONDS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
