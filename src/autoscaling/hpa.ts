/**
 * HPA: Kubernetes' replica formula and default behavior (reference/aibrix.md §4.3, perf.md §5.2),
 * computed here instead of delegating to a native HorizontalPodAutoscaler as AIBrix does, so the
 * three strategies run on the same live windows and can be compared in one bench.
 *
 * Stabilization (scale-up window 0 s, scale-down window 300 s from the cooldown annotations) is
 * the shared stabilization.ts, which follows Kubernetes' semantics for every strategy.
 */
import { isUsableTarget, measuredPods, type ScalingAlgorithmInput } from './algorithm-input.js';
import type { AutoscalerTunables } from './scaling-contract.js';

/** Kubernetes' default scale-up policy period, 15 s (one Pods and one Percent policy). */
export const HPA_SCALE_UP_PERIOD_MS = 15_000;
/** Kubernetes' default scale-up Pods policy: at most 4 pods added per period. */
export const HPA_SCALE_UP_PODS = 4;

/**
 * HPA's recommendation for one source: desired = ceil(pods × value / target), skipped (current
 * replicas) while the ratio is within the tolerance (0.1 by default, the tunables' tolerances).
 * The value is the panic-window average: the shortest window, closest to the near-instant
 * metric Kubernetes' HPA reads.
 */
export function hpaRecommend(input: ScalingAlgorithmInput): number {
  const { signal, tunables, currentReplicas } = input;
  const value = Number.isFinite(signal.panic) ? signal.panic : signal.stable;
  if (!isUsableTarget(signal.target) || !Number.isFinite(value)) return currentReplicas;
  const ratio = Math.max(0, value) / signal.target;
  if (ratio <= 1 + tunables.scaleUpTolerance && ratio >= 1 - tunables.scaleDownTolerance) {
    return currentReplicas;
  }
  return Math.ceil(measuredPods(input) * ratio);
}

/**
 * The Percent scale-up policy AIBrix derives from max-scale-up-rate: (rate − 1)·100 %, at
 * least 100 % (reference/aibrix.md §4.3).
 */
export function hpaScaleUpPercent(tunables: AutoscalerTunables): number {
  return Math.max(100, (tunables.maxScaleUpRate - 1) * 100);
}

/**
 * The most replicas one HPA step may reach from `currentReplicas`: the larger of the Percent
 * policy and Kubernetes' default +4 pods policy (selectPolicy Max). Kubernetes counts a period's
 * budget from the replicas at the period's start; we have no scale-event list, so decideScale
 * allows one scale-up per {@link HPA_SCALE_UP_PERIOD_MS} and measures the step from now.
 */
export function hpaScaleUpLimit(currentReplicas: number, tunables: AutoscalerTunables): number {
  const byPercent = Math.ceil(currentReplicas * (1 + hpaScaleUpPercent(tunables) / 100));
  return Math.max(byPercent, currentReplicas + HPA_SCALE_UP_PODS);
}
