import type { Rng } from './rng.js';

/** Capped exponential backoff with full jitter. */
export interface BackoffPolicy {
  /** First delay in ms. Default 1000. */
  readonly initialMs: number;
  /** Largest delay in ms. Default 30000. */
  readonly maxMs: number;
  /** Growth per attempt. Default 2. */
  readonly factor: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, factor: 2 };

/**
 * Delay before retry number `attempt` (0-based): a uniform draw in [cap/2, cap], where cap grows
 * geometrically. Half-jitter keeps reconnect storms spread while bounding the shortest wait.
 */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, rng: Rng): number {
  const cap = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  return Math.round(cap / 2 + rng.next() * (cap / 2));
}
