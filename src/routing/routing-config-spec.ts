/**
 * Routing configuration (STYLE.md §14): the spec the leader nests under `routing` in its own
 * config, so each key gets a flag, an env var (INFERNODE_<PREFIX>_ROUTING_…) and a README row.
 */
import { int, num, str, type ConfigOf } from '../shared/index.js';
import { prefixCacheConfigSpec, type PrefixCacheMode } from '../kvcache/index.js';
import { parseStrategy } from './registry.js';
import type { RoutingConfig } from './routing-config.js';

/**
 * Every routing knob with its default. Prefix-cache defaults follow AIBrix's *shipped manifests*
 * and README (imbalance 16 requests, σ factor 2) rather than its code fallbacks (8, 1): the
 * manifests are what AIBrix users actually run, and our in-flight counts are exact (no scrape
 * lag), so a looser guard does not let hot spots build unseen. The block size is in stand-in
 * tokens (16 = the simulator's and vLLM's KV block), not AIBrix's bytes.
 */
export const routingConfigSpec = {
  strategy: str(
    'auto',
    'default strategy when a request names none: a name or a weighted list such as prefix-cache:3,least-request:1',
    {
      check: (spec) => {
        const parsed = parseStrategy(spec);
        return parsed.ok ? undefined : parsed.message;
      },
    },
  ),
  maxScoredCandidates: int(
    64,
    'most engines one pick scores: a model with more is scored on a shortlist (every prefix holder the strategies prefer, then a random sample); 0 scores all',
    { min: 0 },
  ),
  prefixCache: prefixCacheConfigSpec,
  sessionAffinity: {
    maxSessions: int(100_000, 'sticky sessions remembered (LRU)', { min: 1 }),
    idleTtlMs: int(3_600_000, 'a session unused this long is forgotten', { min: 1 }),
  },
  vtc: {
    windowMs: int(300_000, 'sliding window of each user’s weighted token count', { min: 1000 }),
    windowBuckets: int(10, 'buckets the window is cut into', { min: 1, max: 600 }),
    maxUsers: int(10_000, 'users tracked (LRU)', { min: 1 }),
    fairnessWeight: num(0.5, 'weight of the fairness term', { min: 0 }),
    utilizationWeight: num(0.5, 'weight of the utilization term', { min: 0 }),
    maxPodLoad: num(100, 'in-flight requests that count as a fully loaded endpoint', { min: 1 }),
    inputTokenWeight: num(1, 'weight of a prompt token in the user counter', { min: 0 }),
    outputTokenWeight: num(2, 'weight of an output token in the user counter', { min: 0 }),
    minBucketTokens: num(1000, 'lower bound of the token bucket size', { min: 1 }),
    maxBucketTokens: num(8000, 'upper bound of the token bucket size', { min: 1 }),
  },
} as const;

/**
 * Narrows what `loadConfig(routingConfigSpec, …)` returned to {@link RoutingConfig}. The loader
 * has already checked every field's kind, so this is a type-level step only.
 */
export function asRoutingConfig(loaded: ConfigOf<typeof routingConfigSpec>): RoutingConfig {
  // `mode` was checked against its oneOf list by the loader.
  const mode = loaded.prefixCache.mode as PrefixCacheMode;
  return { ...loaded, prefixCache: { ...loaded.prefixCache, mode } };
}

/** The defaults of {@link routingConfigSpec}, for tests and callers without a config file. */
export function defaultRoutingConfig(): RoutingConfig {
  const walk = (node: object): unknown =>
    'kind' in node && 'default' in node
      ? (node as { default: unknown }).default
      : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v as object)]));
  return walk(routingConfigSpec) as RoutingConfig;
}
