/**
 * The Deployment condition vocabulary a fleet reports (Kubernetes' reasons verbatim, so tools
 * that read Deployments — `kubectl rollout status`, Argo CD — read fleets the same way) and
 * SetDeploymentCondition's update rule. Pure.
 */
import type { FleetCondition } from './ray-cluster-fleet.js';

/** Condition reasons, as Kubernetes' deployment util spells them (plus the spec checks). */
export const FLEET_REASONS = {
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
  newReplicaSetCreated: 'NewReplicaSetCreated',
  foundNewReplicaSet: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newReplicaSetAvailable: 'NewReplicaSetAvailable',
  progressDeadlineExceeded: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  /** ReplicaFailure: the template or strategy cannot be used; nothing is created or deleted. */
  invalidSpec: 'InvalidSpec',
} as const;

/** Finds a condition by type. */
export function findCondition(
  conditions: readonly FleetCondition[],
  type: string,
): FleetCondition | undefined {
  return conditions.find((c) => c.type === type);
}

/**
 * SetDeploymentCondition: a condition with the same status and reason changes nothing; a new
 * reason with the same status keeps the transition time.
 */
export function setCondition(
  conditions: readonly FleetCondition[],
  next: FleetCondition,
): FleetCondition[] {
  const current = findCondition(conditions, next.type);
  if (current?.status === next.status && current.reason === next.reason) return [...conditions];
  const kept =
    current?.status === next.status && current.lastTransitionTime !== undefined
      ? { ...next, lastTransitionTime: current.lastTransitionTime }
      : next;
  return [...conditions.filter((c) => c.type !== next.type), kept];
}

/** Drops a condition type. */
export function removeCondition(
  conditions: readonly FleetCondition[],
  type: string,
): FleetCondition[] {
  return conditions.filter((c) => c.type !== type);
}

/** A condition stamped at `nowMs`. */
export function condition(
  type: string,
  status: FleetCondition['status'],
  reason: string,
  message: string,
  nowMs: number,
): FleetCondition {
  const at = new Date(nowMs).toISOString();
  return { type, status, reason, message, lastTransitionTime: at, lastUpdateTime: at };
}
