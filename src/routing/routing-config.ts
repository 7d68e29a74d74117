/**
 * Routing configuration (STYLE.md §14): the spec the leader nests under `routing` in its own
 * config, so each key gets a flag, an env var (INFERNODE_<PREFIX>_ROUTING_…) and a README row.
 */
import { bool, int, num, str, type ConfigOf } from '../shared/index.js';
import { parseStrategy } from './registry.js';

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
  prefixCache: {
    blockSizeTokens: int(16, 'prefix-cache block size in stand-in tokens (4 UTF-8 bytes each)', {
      min: 1,
      max: 4096,
    }),
    indexStrideBlocks: int(
      4,
      'index every Nth block only: matches count in N-block steps, index work and memory ÷ N',
      { min: 1, max: 64 },
    ),
    maxBlocks: int(200_000, 'prefix index capacity in indexed blocks, all endpoints (LRU)', {
      min: 1,
    }),
    defaultEndpointCapacityTokens: int(
      400_000,
      'KV capacity (tokens) assumed for an engine that does not report one; the index keeps at most this much per endpoint (LRU)',
      { min: 1 },
    ),
    maxEndpointsPerBlock: int(16, 'endpoints remembered per block; the oldest is dropped', {
      min: 1,
      max: 256,
    }),
    maxPromptBlocks: int(4096, 'blocks hashed per prompt (longer prompts match on their head)', {
      min: 1,
    }),
    entryTtlMs: int(1_200_000, 'a block routed to an endpoint longer ago than this is a miss', {
      min: 1,
    }),
    imbalanceAbsCount: int(16, 'in-flight spread (max − min) above which only least-loaded count', {
      min: 0,
    }),
    stdDevFactor: num(2, 'prefix matches only on endpoints with in-flight ≤ mean + k·σ', {
      min: 0,
    }),
    resetOnHitRatioMismatch: bool(
      true,
      'forget an endpoint’s blocks when the engine’s hit ratio is far below what the index predicted',
    ),
  },
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

/** Prefix-cache knobs; see {@link routingConfigSpec} for units and defaults. */
export interface PrefixCacheConfig {
  readonly blockSizeTokens: number;
  readonly indexStrideBlocks: number;
  readonly maxBlocks: number;
  readonly defaultEndpointCapacityTokens: number;
  readonly maxEndpointsPerBlock: number;
  readonly maxPromptBlocks: number;
  readonly entryTtlMs: number;
  readonly imbalanceAbsCount: number;
  readonly stdDevFactor: number;
  readonly resetOnHitRatioMismatch: boolean;
}

/** Session-affinity knobs. */
export interface SessionAffinityConfig {
  readonly maxSessions: number;
  readonly idleTtlMs: number;
}

/** VTC fairness knobs (AIBrix `vtc-basic` defaults). */
export interface VtcConfig {
  readonly windowMs: number;
  readonly windowBuckets: number;
  readonly maxUsers: number;
  readonly fairnessWeight: number;
  readonly utilizationWeight: number;
  readonly maxPodLoad: number;
  readonly inputTokenWeight: number;
  readonly outputTokenWeight: number;
  readonly minBucketTokens: number;
  readonly maxBucketTokens: number;
}

/** The validated routing config (the shape {@link routingConfigSpec} loads into). */
export interface RoutingConfig {
  readonly strategy: string;
  readonly prefixCache: PrefixCacheConfig;
  readonly sessionAffinity: SessionAffinityConfig;
  readonly vtc: VtcConfig;
}

/**
 * Narrows what `loadConfig(routingConfigSpec, …)` returned to {@link RoutingConfig}. The loader
 * has already checked every field's kind, so this is a type-level step only.
 */
export function asRoutingConfig(loaded: ConfigOf<typeof routingConfigSpec>): RoutingConfig {
  return loaded;
}

/** The defaults of {@link routingConfigSpec}, for tests and callers without a config file. */
export function defaultRoutingConfig(): RoutingConfig {
  const walk = (node: object): unknown =>
    'kind' in node && 'default' in node
      ? (node as { default: unknown }).default
      : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v as object)]));
  return walk(routingConfigSpec) as RoutingConfig;
}
