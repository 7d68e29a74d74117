/**
 * The RayClusterFleet resource (AIBrix's spec field names; reference/aibrix.md §8): a
 * Deployment-like fleet of KubeRay RayClusters, and its rollout status.
 */
import type { Condition, LabelSelector, TypedResource } from '../discovery/index.js';

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

/** A Deployment-style condition: Available, Progressing or ReplicaFailure. */
export interface FleetCondition extends Condition {
  /** RFC 3339; for Progressing, the last time progress was seen (the deadline's clock). */
  readonly lastUpdateTime?: string;
}

export interface RayClusterFleetStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly unavailableReplicas?: number;
  readonly conditions?: readonly FleetCondition[];
  readonly collisionCount?: number;
  readonly scalingTargetSelector?: string;
}

/** A RayClusterFleet object. */
export type RayClusterFleet = TypedResource<
  'RayClusterFleet',
  RayClusterFleetSpec,
  RayClusterFleetStatus
>;
