/**
 * The port the controller reads remote metric sources through (pod, resource, external,
 * Prometheus); `engine` sources need none (the agents' windows are in the leader already).
 * src/autoscaling/adapters/http-metric-reader.ts is the adapter.
 */
import type { RemoteSource } from './metric-sources.js';

/** One target's pods as a remote source needs them. */
export interface TargetPod {
  /** `namespace/name`. */
  readonly id: string;
  /** Base URL of its engine, for its host (the pod IP). */
  readonly url: string;
}

/** What a read covers. */
export interface ReadScope {
  readonly namespace: string;
  /** The target's label selector (string form), for metrics.k8s.io. */
  readonly selector: string | undefined;
  readonly pods: readonly TargetPod[];
  readonly signal: AbortSignal;
}

/** Reads one source: the per-pod value (or, for a replica-count source, the count). */
export interface RemoteMetricReader {
  /** Throws AppError AUTOSCALING_METRIC_SOURCE_FAILED (or another code) when it cannot. */
  read(source: RemoteSource, scope: ReadScope): Promise<number>;
}
