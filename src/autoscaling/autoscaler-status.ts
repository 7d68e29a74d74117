/**
 * The PodAutoscaler status the controller writes, built purely from what one reconcile saw:
 * AIBrix's condition types (Ready, ValidSpec, MultiPodAutoscalerConflict, ScalingActive,
 * AbleToScale), the last 5 scale attempts, the bounds in force and the values decided on. A
 * condition keeps its lastTransitionTime while its status does not change.
 */
import type { Condition } from '../discovery/index.js';
import type {
  MetricValueStatus,
  PodAutoscalerStatus,
  ScalingHistoryEntry,
} from './pod-autoscaler.js';

/** Most scale attempts kept in status (AIBrix's bound). */
export const MAX_SCALING_HISTORY = 5;

/** The condition types. */
export const PA_CONDITIONS = [
  'Ready',
  'ValidSpec',
  'MultiPodAutoscalerConflict',
  'ScalingActive',
  'AbleToScale',
] as const;

/** One condition as the reconcile decided it (lastTransitionTime is filled in here). */
export type ConditionDecision = Omit<Condition, 'lastTransitionTime'>;

/** Merges decided conditions into the current ones; unchanged statuses keep their time. */
export function mergeConditions(
  current: readonly Condition[] | undefined,
  decided: readonly ConditionDecision[],
  nowIso: string,
): Condition[] {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  for (const d of decided) {
    const before = byType.get(d.type);
    const since = before?.status === d.status ? before.lastTransitionTime : nowIso;
    byType.set(d.type, { ...d, ...(since === undefined ? {} : { lastTransitionTime: since }) });
  }
  return [...byType.values()];
}

/** Appends an attempt and keeps the newest {@link MAX_SCALING_HISTORY}. */
export function appendHistory(
  history: readonly ScalingHistoryEntry[] | undefined,
  entry: ScalingHistoryEntry,
): ScalingHistoryEntry[] {
  return [...(history ?? []), entry].slice(-MAX_SCALING_HISTORY);
}

/** What one reconcile writes; fields left undefined keep their stored value. */
export interface StatusUpdate {
  readonly conditions: readonly ConditionDecision[];
  readonly desiredScale?: number;
  readonly actualScale?: number;
  readonly scaled?: ScalingHistoryEntry;
  readonly metricValues?: readonly MetricValueStatus[];
  readonly scheduledBounds?: PodAutoscalerStatus['scheduledBounds'];
}

/**
 * The new status, or undefined when nothing would change (so a steady PodAutoscaler writes
 * nothing on each resync).
 */
export function nextStatus(
  current: PodAutoscalerStatus,
  update: StatusUpdate,
  nowIso: string,
): PodAutoscalerStatus | undefined {
  const next: PodAutoscalerStatus = {
    ...current,
    conditions: mergeConditions(current.conditions, update.conditions, nowIso),
    ...(update.desiredScale === undefined ? {} : { desiredScale: update.desiredScale }),
    ...(update.actualScale === undefined ? {} : { actualScale: update.actualScale }),
    ...(update.metricValues === undefined
      ? {}
      : { metricValues: update.metricValues.slice(0, 16) }),
    ...(update.scheduledBounds === undefined ? {} : { scheduledBounds: update.scheduledBounds }),
    ...(update.scaled === undefined
      ? {}
      : {
          scalingHistory: appendHistory(current.scalingHistory, update.scaled),
          ...(update.scaled.success ? { lastScaleTime: update.scaled.timestamp } : {}),
        }),
  };
  return JSON.stringify(next) === JSON.stringify(current) ? undefined : next;
}
