/**
 * The tunables' defaults: AIBrix's annotation defaults (reference/aibrix.md §4.1, its
 * `context/context.go`), the spec's window defaults, and ours for the keys AIBrix lacks.
 */
import type { AutoscalerTunables } from './scaling-contract.js';

/** Default spec.observeWindowSeconds (AIBrix, since PR #1625). */
export const DEFAULT_OBSERVE_WINDOW_SECONDS = 180;
/** Default spec.panicWindowSeconds. */
export const DEFAULT_PANIC_WINDOW_SECONDS = 60;

/**
 * Defaults of every tunable. scaleToZero is false here (AIBrix); parseTunables turns it on when
 * spec.minReplicas is 0. scaleToZeroDelayMs 300 s (ours): as long as the default scale-down
 * cooldown, since a cold start costs minutes and Knative's 30 s grace would thrash LLM engines.
 * sloTtftMs 2 s (ours): a common interactive TTFT target.
 */
export const DEFAULT_AUTOSCALER_TUNABLES: AutoscalerTunables = {
  maxScaleUpRate: 2,
  maxScaleDownRate: 2,
  scaleUpTolerance: 0.1,
  scaleDownTolerance: 0.1,
  panicThreshold: 2,
  scaleUpCooldownMs: 0,
  scaleDownCooldownMs: 300_000,
  scaleToZero: false,
  scaleToZeroDelayMs: 300_000,
  stableWindowMs: DEFAULT_OBSERVE_WINDOW_SECONDS * 1000,
  panicWindowMs: DEFAULT_PANIC_WINDOW_SECONDS * 1000,
  sloTtftMs: 2000,
};
