/**
 * infernode's custom resources (group `infernode.io`, version `v1alpha1`) with AIBrix's spec field
 * names, so AIBrix's examples work with only `apiVersion` changed (reference/aibrix.md §4.1, §5,
 * §7, §8). deploy/crds holds their CRDs with the OpenAPI schemas that validate them.
 */
import type { CustomResource } from '../discovery/index.js';

/** API group of every infernode custom resource. */
export const INFERNODE_GROUP = 'infernode.io';
/** API version of every infernode custom resource. */
export const INFERNODE_VERSION = 'v1alpha1';
/** `apiVersion` as the objects carry it. */
export const INFERNODE_API_VERSION = `${INFERNODE_GROUP}/${INFERNODE_VERSION}`;

/** The kinds, with the plural their REST paths use. */
export const CRD_KINDS = [
  { kind: 'ModelAdapter', plural: 'modeladapters' },
  { kind: 'PodAutoscaler', plural: 'podautoscalers' },
  { kind: 'RayClusterFleet', plural: 'rayclusterfleets' },
  { kind: 'KVCache', plural: 'kvcaches' },
  { kind: 'RateLimitPolicy', plural: 'ratelimitpolicies' },
] as const;

/** One of the kinds. */
export type CrdKind = (typeof CRD_KINDS)[number]['kind'];

/** metav1.LabelSelector. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

/** metav1.Condition. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  /** RFC 3339 time. */
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
}

// ---- ModelAdapter (reference/aibrix.md §5) ----

export interface ModelAdapterSpec {
  readonly baseModel?: string;
  readonly podSelector: LabelSelector;
  /** `leastAdapters` (default), `binPack`, `leastLatency`, `leastThroughput`, `random`. */
  readonly schedulerName?: string;
  /** `huggingface://`, `s3://`, `gs://`, `tos://`, `http(s)://` or an absolute path. */
  readonly artifactURL: string;
  readonly credentialsSecretRef?: { readonly name: string };
  /** Unset: load on every matching pod; 1: on one scheduled pod. */
  readonly replicas?: 1;
  readonly additionalConfig?: Readonly<Record<string, string>>;
}

export type ModelAdapterPhase =
  | 'Pending'
  | 'Scheduled'
  | 'Bound'
  | 'ResourceCreated'
  | 'Running'
  | 'Failed'
  | 'Unknown'
  | 'Scaled';

export interface ModelAdapterStatus {
  readonly phase?: ModelAdapterPhase;
  readonly conditions?: readonly Condition[];
  /** Pod names the adapter is loaded on. */
  readonly instances?: readonly string[];
  readonly candidates?: readonly string[];
  readonly readyReplicas?: number;
  readonly desiredReplicas?: number;
}

// ---- PodAutoscaler (reference/aibrix.md §4.1) ----

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

// ---- RayClusterFleet (reference/aibrix.md §8) ----

export interface RayClusterFleetSpec {
  /** Default 1. */
  readonly replicas?: number;
  readonly selector: LabelSelector;
  /** metadata + a KubeRay RayClusterSpec (kept opaque). */
  readonly template: {
    readonly metadata?: Readonly<Record<string, unknown>>;
    readonly spec?: unknown;
  };
  readonly strategy?: {
    readonly type?: 'Recreate' | 'RollingUpdate';
    readonly rollingUpdate?: {
      readonly maxSurge?: number | string;
      readonly maxUnavailable?: number | string;
    };
  };
  readonly minReadySeconds?: number;
  /** Default 10. */
  readonly revisionHistoryLimit?: number;
  readonly paused?: boolean;
  /** Default 600. */
  readonly progressDeadlineSeconds?: number;
}

export interface RayClusterFleetStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly unavailableReplicas?: number;
  readonly conditions?: readonly Condition[];
  readonly collisionCount?: number;
  readonly scalingTargetSelector?: string;
}

// ---- KVCache (reference/aibrix.md §7) ----

/** How a KVCache component runs (replicas, image, env, resources, or a full pod template). */
export interface KVCacheRuntimeSpec {
  readonly replicas?: number;
  readonly image?: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
  readonly resources?: Readonly<Record<string, unknown>>;
  readonly template?: Readonly<Record<string, unknown>>;
}

/** A metadata store: an external one, or one the controller runs. */
export interface KVCacheMetadataStore {
  readonly externalConnection?: {
    readonly address: string;
    readonly passwordSecretRef?: { readonly name: string; readonly key?: string };
  };
  readonly runtime?: KVCacheRuntimeSpec;
}

export interface KVCacheSpec {
  /** Default `distributed`. */
  readonly mode?: 'centralized' | 'distributed';
  readonly metadata?: {
    readonly redis?: KVCacheMetadataStore;
    readonly etcd?: KVCacheMetadataStore;
  };
  readonly cache?: KVCacheRuntimeSpec;
  readonly watcher?: KVCacheRuntimeSpec;
  readonly service?: {
    readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
    readonly ports?: readonly {
      readonly name?: string;
      readonly port: number;
      readonly targetPort?: number | string;
      readonly protocol?: string;
    }[];
  };
}

export interface KVCacheStatus {
  /** Ready cache replicas (AIBrix names the field `current`). */
  readonly current?: number;
  readonly conditions?: readonly Condition[];
}

// ---- typed resources ----

/** A custom resource of one kind with typed spec and status. */
export interface TypedResource<K extends CrdKind, Spec, Status> extends CustomResource {
  readonly kind: K;
  readonly spec: Spec;
  readonly status?: Status;
}

export type ModelAdapter = TypedResource<'ModelAdapter', ModelAdapterSpec, ModelAdapterStatus>;
export type PodAutoscaler = TypedResource<'PodAutoscaler', PodAutoscalerSpec, PodAutoscalerStatus>;
export type RayClusterFleet = TypedResource<
  'RayClusterFleet',
  RayClusterFleetSpec,
  RayClusterFleetStatus
>;
export type KVCache = TypedResource<'KVCache', KVCacheSpec, KVCacheStatus>;

/** Narrows a custom resource to one infernode kind (by apiVersion and kind; the spec is trusted
 * as the API server validated it against the CRD schema). */
export function isResourceOfKind<K extends CrdKind>(
  resource: CustomResource,
  kind: K,
): resource is Extract<ModelAdapter | PodAutoscaler | RayClusterFleet | KVCache, { kind: K }> {
  return resource.apiVersion === INFERNODE_API_VERSION && resource.kind === kind;
}
