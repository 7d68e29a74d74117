/**
 * The PodAutoscaler resource (AIBrix's spec field names; reference/aibrix.md §4.1): the scale
 * target, strategy (HPA, KPA, APA), metric sources and schedules, and the status the controller
 * writes.
 */
import type { Condition, TypedResource } from '../discovery/index.js';

export type ScalingStrategy = 'HPA' | 'KPA' | 'APA';

export interface MetricSource {
  readonly metricSourceType: 'pod' | 'resource' | 'custom' | 'external' | 'domain';
  readonly protocolType?: 'http' | 'https';
  readonly endpoint?: string;
  readonly path?: string;
  readonly port?: string;
  readonly targetMetric: string;
  /** A decimal number as text, e.g. "0.5". */
  readonly targetValue: string;
}

export interface ScalingSchedule {
  readonly name: string;
  /** IANA zone; default UTC. */
  readonly timezone?: string;
  readonly daysOfWeek?: readonly ('Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun')[];
  /** HH:MM, inclusive. */
  readonly startTime: string;
  /** HH:MM, exclusive; after startTime (no midnight crossing). */
  readonly endTime: string;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
}

export interface PodAutoscalerSpec {
  readonly scaleTargetRef: {
    readonly apiVersion?: string;
    readonly kind: string;
    readonly name: string;
    readonly namespace?: string;
  };
  readonly subTargetSelector?: { readonly roleName?: string };
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  readonly schedules?: readonly ScalingSchedule[];
  readonly metricsSources: readonly MetricSource[];
  /** Stable window in s, 1–3600. Default 180. */
  readonly observeWindowSeconds?: number;
  /** Panic window in s, 1–3600, ≤ observeWindowSeconds. Default 60. */
  readonly panicWindowSeconds?: number;
  readonly scalingStrategy: ScalingStrategy;
}

export interface ScalingHistoryEntry {
  readonly timestamp: string;
  readonly previousScale: number;
  readonly newScale: number;
  readonly reason?: string;
  readonly success: boolean;
  readonly error?: string;
}

export interface PodAutoscalerStatus {
  readonly lastScaleTime?: string;
  readonly desiredScale?: number;
  readonly actualScale?: number;
  readonly conditions?: readonly Condition[];
  /** The last 5 decisions at most. */
  readonly scalingHistory?: readonly ScalingHistoryEntry[];
  readonly scheduledBounds?: {
    readonly activeSchedule?: string;
    readonly effectiveMinReplicas?: number;
    readonly effectiveMaxReplicas?: number;
  };
}

/** A PodAutoscaler object. */
export type PodAutoscaler = TypedResource<'PodAutoscaler', PodAutoscalerSpec, PodAutoscalerStatus>;
