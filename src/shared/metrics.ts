/**
 * Metrics (STYLE.md §17): one prom-client Registry per process, built in main and passed down.
 * Nothing here touches prom-client's global registry.
 */
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prefix of every infernode metric: `infernode_<area>_<name>_<unit>`. */
export const METRIC_PREFIX = 'infernode_';

/**
 * Set to `1` (with node's `--expose-gc`) to add `infernode_test_heap_used_after_gc_bytes`, whose
 * every scrape runs a full GC first. Test-only: the leak check (test/e2e/leak-check.test.ts)
 * compares heap after GC over time, which heap samples between collections are too noisy for.
 */
export const HEAP_AFTER_GC_ENV = 'INFERNODE_TEST_HEAP_AFTER_GC';

/** A fresh registry with Node's process metrics, for one process. */
export function createRegistry(options: { readonly defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
    registerHeapAfterGc(registry);
  }
  return registry;
}

function registerHeapAfterGc(registry: Registry): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (process.env[HEAP_AFTER_GC_ENV] !== '1' || gc === undefined) return;
  new Gauge({
    name: `${METRIC_PREFIX}test_heap_used_after_gc_bytes`,
    help: `Heap used right after a forced full GC (test only: ${HEAP_AFTER_GC_ENV}=1 and --expose-gc)`,
    registers: [registry],
    collect() {
      gc();
      this.set(process.memoryUsage().heapUsed);
    },
  });
}

/** Latency buckets (seconds) for the gateway's own added-latency histograms: 50 µs … 1 s. */
export const OVERHEAD_BUCKETS_SECONDS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];
