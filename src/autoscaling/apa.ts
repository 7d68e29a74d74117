/**
 * APA, AIBrix's adaptive autoscaler after Huo et al. 2023 (reference/aibrix.md §4.3): scale by
 * the ratio of the per-pod average to the target, only when it leaves the fluctuation band
 * [1 − downTolerance, 1 + upTolerance], and never by more than the scale-up/down rates in one step.
 */
import { isUsableTarget, measuredPods, type ScalingAlgorithmInput } from './algorithm-input.js';

/**
 * APA's recommendation for one source, from its stable-window value.
 *
 * r = value / target; r > 1 + up → min(ceil(pods·r), ceil(maxScaleUpRate·pods));
 * r < 1 − down → max(ceil(pods·r), floor(pods / maxScaleDownRate)); else the current replicas.
 * `pods` is the ready count (≥ 1), the pods the average was taken over.
 */
export function apaRecommend(input: ScalingAlgorithmInput): number {
  const { signal, tunables, currentReplicas } = input;
  if (!isUsableTarget(signal.target) || !Number.isFinite(signal.stable)) return currentReplicas;
  const pods = measuredPods(input);
  const ratio = Math.max(0, signal.stable) / signal.target;
  if (ratio > 1 + tunables.scaleUpTolerance) {
    return Math.min(Math.ceil(pods * ratio), Math.ceil(tunables.maxScaleUpRate * pods));
  }
  if (ratio < 1 - tunables.scaleDownTolerance) {
    return Math.max(Math.ceil(pods * ratio), Math.floor(pods / tunables.maxScaleDownRate));
  }
  return currentReplicas;
}
