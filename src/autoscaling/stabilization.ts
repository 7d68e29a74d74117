/**
 * Cooldown stabilization for every strategy, with Kubernetes HPA's semantics
 * (`stabilizeRecommendationWithBehaviors`): over the scale-up window take the *lowest*
 * recommendation, over the scale-down window the *highest*, and move the current replicas only
 * as far as both allow. So a scale-down happens only once every recommendation of the last
 * scale-down window is lower, and only to the highest of them; a non-zero scale-up window holds
 * off a brief spike.
 *
 * AIBrix's `stabilizeRecommendation` (the rule quoted in reference/aibrix.md §4.2: max over the
 * scale-up window, min over the scale-down window) picks the aggressive end of each window, so
 * its 5-minute scale-down cooldown never holds anything (AIBrix issue #2821, a confirmed bug).
 * We implement what the annotations are documented to mean. See docs/decisions.md.
 */
import type { RecommendationRecord } from './scaling-contract.js';

/** Input of {@link stabilizeRecommendation}. */
export interface StabilizationInput {
  /** This decision's raw recommendation (already counts as part of both windows). */
  readonly recommendation: number;
  readonly currentReplicas: number;
  /** Earlier recommendations, any order; those outside the windows are ignored. */
  readonly history: readonly RecommendationRecord[];
  readonly nowMs: number;
  readonly scaleUpWindowMs: number;
  readonly scaleDownWindowMs: number;
}

/** The stabilized replicas and, when a window held the recommendation back, which one. */
export interface StabilizedRecommendation {
  readonly replicas: number;
  readonly heldBy?: 'scale-up window' | 'scale-down window';
}

/** Stabilizes one recommendation against the history (see the file comment). */
export function stabilizeRecommendation(input: StabilizationInput): StabilizedRecommendation {
  const { recommendation, currentReplicas, nowMs } = input;
  let upBound = recommendation;
  let downBound = recommendation;
  for (const record of input.history) {
    if (record.atMs > nowMs) continue; // from a clock that went back: not evidence for now
    if (record.atMs > nowMs - input.scaleUpWindowMs) upBound = Math.min(upBound, record.replicas);
    if (record.atMs > nowMs - input.scaleDownWindowMs) {
      downBound = Math.max(downBound, record.replicas);
    }
  }
  let replicas = currentReplicas;
  if (replicas < upBound) replicas = upBound;
  if (replicas > downBound) replicas = downBound;
  if (replicas === recommendation) return { replicas };
  return {
    replicas,
    heldBy: recommendation > currentReplicas ? 'scale-up window' : 'scale-down window',
  };
}

/** Input of {@link cooldownHold}. */
export interface CooldownInput {
  readonly desired: number;
  readonly currentReplicas: number;
  readonly nowMs: number;
  readonly lastScaleUpMs?: number;
  readonly lastScaleDownMs?: number;
  readonly scaleUpCooldownMs: number;
  readonly scaleDownCooldownMs: number;
}

/**
 * Cooldowns from the last scale times, for reversals: no scale-down within the scale-down
 * cooldown of the last scale-up, no scale-up within the scale-up cooldown of the last scale-down.
 * Steps in the same direction are paced by the windows and rates instead. This still holds
 * when the history is empty (a restarted controller that only knows status.lastScaleTime).
 * Returns a reason when it holds the current replicas, undefined otherwise.
 */
export function cooldownHold(input: CooldownInput): string | undefined {
  const { desired, currentReplicas, nowMs } = input;
  if (desired < currentReplicas && input.lastScaleUpMs !== undefined) {
    const left = input.lastScaleUpMs + input.scaleDownCooldownMs - nowMs;
    if (left > 0) return `scale-down cooldown after a scale-up (${Math.ceil(left / 1000)} s left)`;
  }
  if (desired > currentReplicas && input.lastScaleDownMs !== undefined) {
    const left = input.lastScaleDownMs + input.scaleUpCooldownMs - nowMs;
    if (left > 0) return `scale-up cooldown after a scale-down (${Math.ceil(left / 1000)} s left)`;
  }
  return undefined;
}
