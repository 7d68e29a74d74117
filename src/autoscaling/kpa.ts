/**
 * KPA, the Knative-style autoscaler (reference/aibrix.md §4.3): a stable and a panic window, a
 * panic threshold, tolerances around the target, and per-step rate limits.
 *
 * Total vs average (the ambiguity AIBrix leaves open, docs/decisions.md): Knative's
 * `ceil(value / target)` is meant for a *total* (the target's total concurrency divided by the
 * per-pod target). Our SourceSignal carries the *per-pod average*, so KPA first rebuilds the total
 * as average × ready pods and then applies Knative's formula: desired = ceil(avg·pods / target).
 * Feeding the average straight in (as AIBrix's pipeline does) would cap every target at
 * ceil(avg/target) replicas whatever the pod count, e.g. 2 pods at 1.5× target → 2, never 3.
 *
 * The panic *memory* (stay in panic for a stable window after the last over-threshold reading,
 * never scale below the highest panic recommendation) lives in decideScale, read from the
 * recommendation history (kpa-panic.ts); this function is one reading.
 */
import { isUsableTarget, measuredPods, type ScalingAlgorithmInput } from './algorithm-input.js';

/** KPA's reading of one source. */
export interface KpaRecommendation {
  /** Replicas for this source: max(stable, panic) when over the threshold, else stable. */
  readonly replicas: number;
  readonly stableReplicas: number;
  readonly panicReplicas: number;
  /** panic/stable exceeded the panic threshold (or stable is 0 with panic load). */
  readonly overPanicThreshold: boolean;
}

/** KPA for one source (see the file comment for the total-vs-average decision). */
export function kpaRecommend(input: ScalingAlgorithmInput): KpaRecommendation {
  const { signal, tunables, currentReplicas } = input;
  if (!isUsableTarget(signal.target) || !Number.isFinite(signal.stable)) {
    return {
      replicas: currentReplicas,
      stableReplicas: currentReplicas,
      panicReplicas: currentReplicas,
      overPanicThreshold: false,
    };
  }
  const pods = measuredPods(input);
  const stable = Math.max(0, signal.stable);
  const panic = Number.isFinite(signal.panic) ? Math.max(0, signal.panic) : stable;
  const lower = Math.floor(pods / tunables.maxScaleDownRate);
  const upper = Math.max(1, Math.ceil(tunables.maxScaleUpRate * pods));
  const desiredFor = (value: number): number => {
    const up = signal.target * (1 + tunables.scaleUpTolerance);
    const down = signal.target * (1 - tunables.scaleDownTolerance);
    const raw =
      value > up || value < down ? Math.ceil((value * pods) / signal.target) : currentReplicas;
    return Math.min(upper, Math.max(lower, raw));
  };
  const stableReplicas = desiredFor(stable);
  const panicReplicas = desiredFor(panic);
  // AIBrix: panic when stable ≤ 0 or panic/stable > threshold; we also require some panic load,
  // so an idle target (both windows 0) is calm, not panicking.
  const overPanicThreshold = panic > 0 && (stable <= 0 || panic / stable > tunables.panicThreshold);
  return {
    replicas: overPanicThreshold ? Math.max(stableReplicas, panicReplicas) : stableReplicas,
    stableReplicas,
    panicReplicas,
    overPanicThreshold,
  };
}
