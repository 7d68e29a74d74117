/**
 * KPA's panic memory, read from the recommendation history (no hidden state in the decision):
 * Knative stays in panic until a whole stable window has passed since the panic threshold was
 * last exceeded, and while in panic never goes below the highest recommendation of the episode
 * (its `maxPanicPods`). Each history record carries `panicTriggerMs` while in panic.
 */
import type { RecommendationRecord } from './scaling-contract.js';

/** Where the panic episode stands at one decision. */
export interface KpaPanicState {
  readonly inPanic: boolean;
  /** The last time the threshold was exceeded (now when exceeded now); set while in panic. */
  readonly panicTriggerMs?: number;
  /** The highest recommendation of the ongoing episode (0 when not in panic). */
  readonly maxPanicReplicas: number;
}

/**
 * The panic state at `nowMs` given whether the threshold is exceeded now and the history
 * (appended in time order, as decideScale's records are).
 */
export function kpaPanicState(
  history: readonly RecommendationRecord[],
  nowMs: number,
  stableWindowMs: number,
  overThresholdNow: boolean,
): KpaPanicState {
  let lastTrigger: number | undefined;
  let maxPanicReplicas = 0;
  // The ongoing episode is the trailing run of records in panic.
  for (const record of [...history].reverse()) {
    if (record.panicTriggerMs === undefined || record.atMs > nowMs) break;
    lastTrigger = Math.max(lastTrigger ?? record.panicTriggerMs, record.panicTriggerMs);
    maxPanicReplicas = Math.max(maxPanicReplicas, record.replicas);
  }
  if (overThresholdNow) return { inPanic: true, panicTriggerMs: nowMs, maxPanicReplicas };
  if (lastTrigger !== undefined && nowMs - lastTrigger < stableWindowMs) {
    return { inPanic: true, panicTriggerMs: lastTrigger, maxPanicReplicas };
  }
  return { inPanic: false, maxPanicReplicas: 0 };
}
