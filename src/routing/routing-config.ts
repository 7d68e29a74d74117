/**
 * The validated routing config's shape: a leaf of types only, so the strategies and the routing
 * state can name it without importing the spec (whose strategy check needs the registry, which
 * imports the strategies).
 */
import type { PrefixCacheConfig } from '../kvcache/index.js';

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
  /** Most candidates one pick scores (shortlist.ts); 0: all. */
  readonly maxScoredCandidates: number;
  readonly prefixCache: PrefixCacheConfig;
  readonly sessionAffinity: SessionAffinityConfig;
  readonly vtc: VtcConfig;
}
