/**
 * The Kubernetes shapes every infernode custom resource shares: its group and version, the kinds
 * and their plurals, metav1 LabelSelector and Condition, and a resource typed by kind. Each
 * kind's own spec and status live in the room of its capability (lora, autoscaling, fleet,
 * kvcache), with AIBrix's field names so AIBrix's examples work with only `apiVersion` changed.
 * deploy/crds holds the CRDs with the OpenAPI schemas that validate them.
 */
import type { CustomResource } from './cluster-source.js';

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

/** A custom resource of one kind with typed spec and status. */
export interface TypedResource<K extends CrdKind, Spec, Status> extends CustomResource {
  readonly kind: K;
  readonly spec: Spec;
  readonly status?: Status;
}

/**
 * Narrows a custom resource to one infernode kind (by apiVersion and kind; the spec is trusted
 * as the API server validated it against the CRD schema). Pass the kind's typed resource as `R`.
 */
export function isResourceOfKind<R extends TypedResource<CrdKind, unknown, unknown>>(
  resource: CustomResource,
  kind: R['kind'],
): resource is R {
  return resource.apiVersion === INFERNODE_API_VERSION && resource.kind === kind;
}
