/**
 * What every per-source scaling algorithm (KPA, APA, HPA) reads: one source's windows, the
 * target's replica counts and the tunables. Kept apart so the algorithms share one shape and
 * `decideScale` can call any of them.
 */
import type { AutoscalerTunables, SourceSignal } from './scaling-contract.js';

/** One source's input to a scaling algorithm. */
export interface ScalingAlgorithmInput {
  readonly signal: SourceSignal;
  /** The target's desired replicas now. */
  readonly currentReplicas: number;
  /** Ready engines now: the pods the per-pod average was taken over. */
  readonly readyReplicas: number;
  readonly tunables: AutoscalerTunables;
}

/**
 * The pod count the per-pod average stands for: the ready pods, at least 1 (Knative's
 * `max(1, readyPodsCount)`), so a target whose pods are all starting still gets a finite,
 * positive base instead of a division by zero or a recommendation of 0.
 */
export function measuredPods(input: ScalingAlgorithmInput): number {
  return Math.max(1, Math.floor(input.readyReplicas));
}

/** Whether a target is usable as a divisor (positive and finite). */
export function isUsableTarget(target: number): boolean {
  return Number.isFinite(target) && target > 0;
}
