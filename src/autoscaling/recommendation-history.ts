/**
 * The recommendation history the caller keeps between decisions: bounded in time (the longest
 * window any rule reads) and in length, so a long-lived controller's memory stays flat.
 */
import type { AutoscalerTunables, RecommendationRecord } from './scaling-contract.js';

/** Most records kept whatever the windows (one a second for an hour fits). */
export const MAX_RECOMMENDATION_HISTORY = 3600;

/** How far back decisions read: the longest of the cooldown windows and the stable window. */
export function historySpanMs(tunables: AutoscalerTunables): number {
  return Math.max(
    tunables.scaleDownCooldownMs,
    tunables.scaleUpCooldownMs,
    tunables.stableWindowMs,
  );
}

/**
 * The history with `record` appended, records older than {@link historySpanMs} (or from a
 * future a clock reset left behind) dropped, and at most `maxEntries` newest kept.
 */
export function appendRecommendation(
  history: readonly RecommendationRecord[],
  record: RecommendationRecord,
  tunables: AutoscalerTunables,
  maxEntries: number = MAX_RECOMMENDATION_HISTORY,
): RecommendationRecord[] {
  const cutoff = record.atMs - historySpanMs(tunables);
  const kept = history.filter((r) => r.atMs > cutoff && r.atMs <= record.atMs);
  kept.push(record);
  return kept.slice(Math.max(0, kept.length - Math.max(1, maxEntries)));
}
