/**
 * What the rollout planner takes and gives (rollout-plan.ts): the fleet and its clusters in,
 * actions for the controller to apply, the new status and when to look again out. Pure types.
 */
import type { RayClusterFleetSpec, RayClusterFleetStatus } from './ray-cluster-fleet.js';
import type { FleetCluster } from './fleet-cluster.js';

/** A revision history record (what a ControllerRevision holds for the fleet, less the template). */
export interface RevisionRecord {
  readonly hash: string;
  readonly revision: number;
}

/** The fleet size the last plan scaled for (Deployment's desired/max-replicas annotations). */
export interface ScaleRecord {
  readonly desiredReplicas: number;
  /** replicas + maxSurge then: the base of proportional scaling. */
  readonly maxReplicas: number;
}

/** Everything the planner decides from. */
export interface FleetPlanInput {
  readonly spec: RayClusterFleetSpec;
  readonly generation: number;
  /** The status the fleet has now (its conditions carry the progress clock). */
  readonly status?: RayClusterFleetStatus;
  /** A rollback request (0: the previous revision); undefined when none. */
  readonly rollbackTo?: number;
  readonly lastScale?: ScaleRecord;
  /** The collision count the hash was made with; default status.collisionCount or 0. */
  readonly collisionCount?: number;
  /** Hash of spec.template with the current collision count. */
  readonly templateHash: string;
  readonly revisions: readonly RevisionRecord[];
  readonly clusters: readonly FleetCluster[];
  /** Why the template or spec cannot be used (KubeRay would reject it); empty when fine. */
  readonly specProblems?: readonly string[];
  readonly nowMs: number;
}

/** One thing the controller does against the API. */
export type FleetAction =
  /** Create `count` RayClusters from the template of `hash` (recorded as `revision`). */
  | {
      readonly kind: 'create';
      readonly hash: string;
      readonly revision: number;
      readonly count: number;
    }
  /** Delete these clusters, in this order. */
  | { readonly kind: 'delete'; readonly clusters: readonly string[] }
  /** Write (or renumber) the history record of `hash` as `revision`. */
  | { readonly kind: 'recordRevision'; readonly hash: string; readonly revision: number }
  /** Drop history records beyond revisionHistoryLimit (oldest first). */
  | { readonly kind: 'pruneRevisions'; readonly hashes: readonly string[] }
  /** Copy the template of `hash` into spec.template and clear the rollback request. */
  | { readonly kind: 'rollback'; readonly hash: string; readonly revision: number }
  /** Clear a rollback request that cannot be done. */
  | { readonly kind: 'clearRollback' }
  /** Remember the size scaled for (see {@link ScaleRecord}). */
  | { readonly kind: 'recordScale'; readonly scale: ScaleRecord };

/** An Event the controller records on the fleet. */
export interface FleetEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** The planner's answer. */
export interface FleetPlan {
  readonly actions: readonly FleetAction[];
  readonly events: readonly FleetEvent[];
  readonly status: RayClusterFleetStatus;
  /** Look again after this long (minReadySeconds, the progress deadline); undefined: on change only. */
  readonly requeueAfterMs?: number;
}
