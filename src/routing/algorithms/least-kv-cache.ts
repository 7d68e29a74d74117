import { imputedMetric } from '../load-signals.js';
import type { RoutingAlgorithm } from '../routing-algorithm.js';

/**
 * Lowest KV cache usage (0–1) as the agents report it (vLLM `kv_cache_usage_perc`, SGLang
 * `token_usage`). AIBrix adds the CPU cache usage; engines here report only the GPU figure.
 * The ratio is on a fixed scale, so it fuses as `absolute` (llm-d's `1 − kvUsage`).
 * Stale figures count less (see `imputeLoads`), so an engine whose agent is briefly lost is
 * neither shunned nor flooded. Without data (no metrics, or no KV gauge in the engine's dialect)
 * on any candidate, every candidate is scored on the gateway's in-flight counts instead
 * (`gatewayLoadScores`): unknown is not an empty cache.
 */
export const leastKvCache: RoutingAlgorithm = {
  name: 'least-kv-cache',
  polarity: 'lower-is-better',
  normalization: 'absolute',
  description: 'lowest KV cache usage reported by the agents',
  score: (snapshot) =>
    imputedMetric(
      snapshot.endpoints,
      (m) => m.scrape.kvCacheUsageRatio,
      (m) => m.scrape.kvCacheUsageRatio !== undefined,
    ),
};
