/**
 * The port the controller reads remote metric sources through (pod, resource, external,
 * Prometheus); `engine` sources need none (the agents' windows are in the leader already).
 * src/autoscaling/adapters/http-metric-reader.ts is the adapter.
 */
import type { RemoteSource } from './metric-sources.js';
import type { PodResourceSample } from './resource-utilization.js';

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

/**
 * metrics.k8s.io for the `resource` source: the PodMetrics of the pods a label selector matches,
 * each beside its pod spec's requests (src/kube/k8s-pod-metrics.ts on Kubernetes).
 */
export interface PodMetricsPort {
  /** Throws (e.g. K8S_NOT_FOUND when no metrics API is served) when it cannot. */
  list(
    namespace: string,
    selector: string | undefined,
    signal: AbortSignal,
  ): Promise<readonly PodResourceSample[]>;
}
