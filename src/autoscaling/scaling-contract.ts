/**
 * The contract between the pure autoscaling decision (`decideScale`, src/autoscaling/
 * decide-scale.ts, with the HPA/KPA/APA/SLO algorithms, windows, stabilization and schedules
 * behind it) and the PodAutoscaler controller, the local cluster's scaler and the benchmark that
 * call it. The caller collects metric values into windows ({@link MetricWindow}, one per source)
 * and keeps the recommendation history; the decision is a pure function of this input.
 */
import type { ScalingSchedule } from './pod-autoscaler.js';

/** Tunables from annotations (AIBrix's keys and defaults, reference/aibrix.md §4.1) and spec. */
export interface AutoscalerTunables {
  /** Default 2.0. */
  readonly maxScaleUpRate: number;
  /** Default 2.0. */
  readonly maxScaleDownRate: number;
  /** Default 0.1. */
  readonly scaleUpTolerance: number;
  /** Default 0.1. */
  readonly scaleDownTolerance: number;
  /** KPA: panic when panic/stable exceeds this. Default 2.0. */
  readonly panicThreshold: number;
  /** Default 0. */
  readonly scaleUpCooldownMs: number;
  /** Default 300 000. */
  readonly scaleDownCooldownMs: number;
  /** Whether minReplicas 0 may be reached. Default false (AIBrix), true when minReplicas is 0. */
  readonly scaleToZero: boolean;
  /** No demand for this long before scaling to zero. */
  readonly scaleToZeroDelayMs: number;
  /** spec.observeWindowSeconds (default 180 s). */
  readonly stableWindowMs: number;
  /** spec.panicWindowSeconds (default 60 s). */
  readonly panicWindowMs: number;
  /** SLO mode: the TTFT the queue must stay under, ms. */
  readonly sloTtftMs: number;
}

/** One metric source's windows at decision time (sources that failed are left out). */
export interface SourceSignal {
  /** For status and reasons, e.g. `vllm:num_requests_running` or the PromQL query. */
  readonly name: string;
  /** spec targetValue as a number (per pod). */
  readonly target: number;
  /** Stable-window average of the per-pod average value. */
  readonly stable: number;
  /** Panic-window average of the per-pod average value. */
  readonly panic: number;
  /**
   * A value that is already a replica count (the GPU optimizer's `external` answer): the
   * recommendation is the value itself, not a ratio to a target.
   */
  readonly isReplicaCount?: boolean;
}

/** SLO mode's signal: predicted queueing against a TTFT target. */
export interface QueueSignal {
  /** Prompt tokens waiting (not yet prefilled) across the target's engines. */
  readonly waitingPromptTokens: number;
  /** Measured prefill throughput of one engine, tokens/s (stable window). */
  readonly prefillTokensPerSecondPerPod: number;
}

/** A past recommendation (for stabilization windows). */
export interface RecommendationRecord {
  readonly atMs: number;
  readonly replicas: number;
  /**
   * KPA's panic memory: while in panic, the last time the panic threshold was exceeded (panic
   * lasts a stable window past it); undefined when this decision was not in panic.
   */
  readonly panicTriggerMs?: number;
}

/** Everything one decision needs. */
export interface DecideInput {
  readonly strategy: 'HPA' | 'KPA' | 'APA' | 'SLO';
  readonly tunables: AutoscalerTunables;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly schedules: readonly ScalingSchedule[];
  /** Wall time, for schedules (time of day in their zones). */
  readonly now: Date;
  /** Monotonic ms, for windows and cooldowns. */
  readonly nowMs: number;
  /** The target's desired replicas now (scale subresource spec). */
  readonly currentReplicas: number;
  /** Ready engines of the target now. */
  readonly readyReplicas: number;
  readonly signals: readonly SourceSignal[];
  readonly queue?: QueueSignal;
  /** Recommendations of the last scale-down cooldown window (the caller trims older ones). */
  readonly history: readonly RecommendationRecord[];
  /** Last time the target was scaled up / down, ms (undefined: never). */
  readonly lastScaleUpMs?: number;
  readonly lastScaleDownMs?: number;
  /** Last time any demand was seen (a request, a running or waiting one), ms. */
  readonly lastDemandMs?: number;
  /** Requests held at the gateway for this target's model while it has no ready engine. */
  readonly heldRequests: number;
}

/** The decision. */
export interface ScaleDecision {
  /** Replicas to set (equal to currentReplicas: no change). */
  readonly desired: number;
  /** The raw recommendation before stabilization and clamping. */
  readonly recommendation: number;
  readonly perSource: readonly {
    readonly name: string;
    readonly value: number;
    readonly replicas: number;
  }[];
  readonly panic: boolean;
  /** Why, in one line for status history and Events. */
  readonly reason: string;
  readonly bounds: {
    readonly min: number;
    readonly max: number;
    readonly activeSchedule?: string;
  };
  /** Push into the history for the next call. */
  readonly record: RecommendationRecord;
}

/** A sliding time window of samples with fixed-size buckets (pure; time is passed in). */
export interface MetricWindow {
  record(nowMs: number, value: number): void;
  /** Average over the last `windowMs`; undefined when no sample is in it. */
  average(nowMs: number, windowMs: number): number | undefined;
}
