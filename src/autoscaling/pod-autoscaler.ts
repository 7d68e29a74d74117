/**
 * The PodAutoscaler resource (AIBrix's spec field names; reference/aibrix.md §4.1): the scale
 * target, strategy (HPA, KPA, APA, SLO), metric sources (AIBrix's form, the `engine` source, or
 * the seed's Prometheus form) and schedules, and the status the controller writes.
 */
import type { Condition, TypedResource } from '../discovery/index.js';

/** The algorithm; SLO scales on predicted queueing against a TTFT target (beyond AIBrix). */
export type ScalingStrategy = 'HPA' | 'KPA' | 'APA' | 'SLO';

/**
 * The engine metrics an `engine` source may name, read from the agents' live windows:
 * requests running and waiting (gauges), KV cache usage 0–1, prompt and generation tokens per
 * second, and the mean time to first token in seconds over the agent's window.
 */
export const ENGINE_METRIC_NAMES = [
  'num_requests_running',
  'num_requests_waiting',
  'kv_cache_usage',
  'prompt_throughput',
  'generation_throughput',
  'ttft_seconds',
] as const;

/** One of {@link ENGINE_METRIC_NAMES}. */
export type EngineMetricName = (typeof ENGINE_METRIC_NAMES)[number];

/**
 * AIBrix's metric source form, plus `engine` (infernode's default: the agents' live windows,
 * no scrape and no Prometheus in the loop).
 */
export interface TypedMetricSource {
  readonly metricSourceType: 'engine' | 'pod' | 'resource' | 'custom' | 'external' | 'domain';
  readonly protocolType?: 'http' | 'https';
  readonly endpoint?: string;
  readonly path?: string;
  readonly port?: string;
  readonly targetMetric: string;
  /** A decimal number as text, e.g. "0.5". */
  readonly targetValue: string;
}

/** The seed's form: a PromQL instant query against the leader's configured Prometheus. */
export interface PrometheusMetricSource {
  readonly type: 'Prometheus';
  readonly prometheus: { readonly query: string };
  /** The per-pod value the query's result is compared to, as text. */
  readonly targetValue: string;
}

/** A metric source in either form (the CRD's CEL rules make them exclusive). */
export type MetricSource = TypedMetricSource | PrometheusMetricSource;

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

/** What the last decision read from one source. */
export interface MetricValueStatus {
  readonly name: string;
  readonly value: number;
  readonly target?: number;
  readonly replicas: number;
}

export interface PodAutoscalerStatus {
  readonly lastScaleTime?: string;
  readonly desiredScale?: number;
  readonly actualScale?: number;
  readonly conditions?: readonly Condition[];
  /** The last 5 decisions at most. */
  readonly scalingHistory?: readonly ScalingHistoryEntry[];
  /** Per source, what the last decision read (at most 16). */
  readonly metricValues?: readonly MetricValueStatus[];
  readonly scheduledBounds?: {
    readonly activeSchedule?: string;
    readonly effectiveMinReplicas?: number;
    readonly effectiveMaxReplicas?: number;
  };
}

/** A PodAutoscaler object. */
export type PodAutoscaler = TypedResource<'PodAutoscaler', PodAutoscalerSpec, PodAutoscalerStatus>;
