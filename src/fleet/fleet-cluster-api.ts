/**
 * The port the RayClusterFleet controller acts through (the Kubernetes adapter is
 * src/kube/k8s-fleet-cluster-api.ts): cached reads of the RayClusters and revision records that
 * fleets own, and the writes a plan needs. Types only.
 */

/** Labels and annotations the controller puts on what it creates. */
export const FLEET_LABELS = {
  /** The owning fleet's name, on its RayClusters and revision records. */
  fleetName: 'infernode.io/fleet-name',
  /** The template hash of a RayCluster or revision record. */
  templateHash: 'infernode.io/template-hash',
  /** The revision number, on a RayCluster (informational) and a revision record. */
  revision: 'infernode.io/revision',
  /** The fleet size last scaled for (Deployment's desired-replicas annotation), on the fleet. */
  desiredReplicas: 'infernode.io/desired-replicas',
  /** replicas + maxSurge last scaled for (Deployment's max-replicas annotation), on the fleet. */
  maxReplicas: 'infernode.io/max-replicas',
  /** KubeRay's RayCluster label its head pods carry with the cluster name. */
  rayClusterName: 'ray.io/cluster',
  /** controller.kubernetes.io/pod-deletion-cost, read on RayClusters. */
  deletionCost: 'controller.kubernetes.io/pod-deletion-cost',
} as const;

/** Object metadata as the controller reads and writes it. */
export interface FleetObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly ownerReferences?: readonly OwnerReference[];
}

/** metav1.OwnerReference. */
export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

/** KubeRay RayCluster status fields the controller reads (ray.io/v1). */
export interface RayClusterStatus {
  /** `ready` once every pod runs (deprecated in KubeRay 1.2 but still set). */
  readonly state?: string;
  /** KubeRay ≥ 1.2: when each state was entered. */
  readonly stateTransitionTimes?: Readonly<Record<string, string>>;
  /** KubeRay ≥ 1.2: HeadPodReady, RayClusterProvisioned, RayClusterReplicaFailure. */
  readonly conditions?: readonly {
    readonly type: string;
    readonly status: string;
    readonly lastTransitionTime?: string;
  }[];
  readonly lastUpdateTime?: string;
}

/** A KubeRay RayCluster. */
export interface RayClusterObject {
  readonly apiVersion: 'ray.io/v1';
  readonly kind: 'RayCluster';
  readonly metadata: FleetObjectMeta;
  readonly spec?: unknown;
  readonly status?: RayClusterStatus;
}

/** One revision record (an apps/v1 ControllerRevision holding the fleet's template). */
export interface FleetRevisionRecord {
  readonly name: string;
  readonly hash: string;
  readonly revision: number;
  /** The fleet's spec.template at that revision. */
  readonly template: unknown;
}

/** Per-call options; the adapter adds its own timeout. */
export interface FleetCallOptions {
  readonly signal?: AbortSignal;
}

/** What the controller reads and writes. */
export interface FleetClusterApi {
  /** RayClusters labelled with the fleet's name, from the cache. */
  clusters(namespace: string, fleet: string): readonly RayClusterObject[];
  /** The fleet's revision records, from the cache. */
  revisions(namespace: string, fleet: string): readonly FleetRevisionRecord[];
  /** Called with the fleet's namespace and name whenever one of its objects changes. */
  onChange(listener: (namespace: string, fleet: string) => void): () => void;
  createCluster(cluster: RayClusterObject, options: FleetCallOptions): Promise<void>;
  /** Deletes a cluster (foreground-free: KubeRay tears its pods down); a gone one is fine. */
  deleteCluster(namespace: string, name: string, options: FleetCallOptions): Promise<void>;
  /** Creates or replaces the record of `record.hash`, owned by `owner`. */
  writeRevision(
    namespace: string,
    fleet: string,
    owner: OwnerReference,
    record: FleetRevisionRecord,
    options: FleetCallOptions,
  ): Promise<void>;
  deleteRevision(namespace: string, name: string, options: FleetCallOptions): Promise<void>;
  /** Merge-patches the fleet: annotations (null removes one) and/or spec.template. */
  patchFleet(
    namespace: string,
    name: string,
    patch: {
      readonly annotations?: Readonly<Record<string, string | null>>;
      readonly template?: unknown;
    },
    options: FleetCallOptions,
  ): Promise<void>;
}
