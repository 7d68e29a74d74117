/**
 * The fleet's status after a plan (Kubernetes' calculateStatus and syncRolloutStatus): counts,
 * Available against replicas − maxUnavailable, and the Progressing condition whose clock (its
 * lastUpdateTime) moves only when the rollout makes progress, so a rollout that stalls past
 * progressDeadlineSeconds turns False with ProgressDeadlineExceeded. Pure.
 */
import { condition, findCondition, FLEET_REASONS as R, setCondition } from './fleet-conditions.js';
import type { FleetCondition, RayClusterFleetStatus } from './ray-cluster-fleet.js';
import type { RolloutWork } from './rollout-work.js';

/** calculateStatus: counts and the Available condition (conditions otherwise as they were). */
export function calculateStatus(
  work: RolloutWork,
  previous: RayClusterFleetStatus | undefined,
  generation: number,
  maxUnavailable: number,
  selector: string,
  collisionCount: number,
): RayClusterFleetStatus {
  const sum = (f: (g: (typeof work.groups)[number]) => number): number =>
    work.groups.reduce((n, g) => n + f(g), 0);
  const available = sum((g) => g.available);
  const newGroup = work.newGroup;
  let conditions: FleetCondition[] = [...(previous?.conditions ?? [])];
  const minAvailable = work.replicas - Math.min(maxUnavailable, work.replicas);
  conditions = setCondition(
    conditions,
    available >= minAvailable
      ? condition(
          'Available',
          'True',
          R.minimumReplicasAvailable,
          'Fleet has minimum availability.',
          work.nowMs,
        )
      : condition(
          'Available',
          'False',
          R.minimumReplicasUnavailable,
          'Fleet does not have minimum availability.',
          work.nowMs,
        ),
  );
  return {
    observedGeneration: generation,
    replicas: sum((g) => g.clusters.length),
    updatedReplicas: newGroup?.clusters.length ?? 0,
    readyReplicas: sum((g) => g.ready),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, work.totalSize() - available),
    conditions,
    collisionCount,
    scalingTargetSelector: selector,
  };
}

/** DeploymentComplete: every cluster is of the current template and available. */
export function isComplete(
  work: RolloutWork,
  status: RayClusterFleetStatus,
  generation: number,
): boolean {
  return (
    status.updatedReplicas === work.replicas &&
    status.replicas === work.replicas &&
    status.availableReplicas === work.replicas &&
    (status.observedGeneration ?? 0) >= generation
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available than before. */
function madeProgress(
  before: RayClusterFleetStatus | undefined,
  after: RayClusterFleetStatus,
): boolean {
  const b = {
    replicas: before?.replicas ?? 0,
    updated: before?.updatedReplicas ?? 0,
    ready: before?.readyReplicas ?? 0,
    available: before?.availableReplicas ?? 0,
  };
  const oldAfter = (after.replicas ?? 0) - (after.updatedReplicas ?? 0);
  return (
    (after.updatedReplicas ?? 0) > b.updated ||
    oldAfter < b.replicas - b.updated ||
    (after.readyReplicas ?? 0) > b.ready ||
    (after.availableReplicas ?? 0) > b.available
  );
}

/** The Progressing condition's verdict and when to look again for the deadline. */
export interface ProgressVerdict {
  readonly status: RayClusterFleetStatus;
  readonly timedOut: boolean;
  readonly requeueAfterMs?: number;
}

/** syncRolloutStatus: moves Progressing on; call only when the fleet is not paused. */
export function syncRolloutStatus(
  work: RolloutWork,
  before: RayClusterFleetStatus | undefined,
  calculated: RayClusterFleetStatus,
  generation: number,
  deadlineSeconds: number,
): ProgressVerdict {
  let conditions = [...(calculated.conditions ?? [])];
  const current = findCondition(conditions, 'Progressing');
  const settled =
    calculated.replicas === calculated.updatedReplicas &&
    current?.reason === R.newReplicaSetAvailable;
  const now = work.nowMs;
  if (!settled) {
    if (isComplete(work, calculated, generation)) {
      conditions = setCondition(
        conditions,
        condition(
          'Progressing',
          'True',
          R.newReplicaSetAvailable,
          `Revision ${work.newHash} has successfully progressed.`,
          now,
        ),
      );
    } else if (madeProgress(before, calculated)) {
      const next = condition(
        'Progressing',
        'True',
        R.replicaSetUpdated,
        `Revision ${work.newHash} is progressing.`,
        now,
      );
      const keep = current?.status === 'True' && current.lastTransitionTime !== undefined;
      conditions = [
        ...conditions.filter((c) => c.type !== 'Progressing'),
        keep ? { ...next, lastTransitionTime: current.lastTransitionTime } : next,
      ];
    } else if (timedOut(current, deadlineSeconds, now)) {
      conditions = setCondition(
        conditions,
        condition(
          'Progressing',
          'False',
          R.progressDeadlineExceeded,
          `Revision ${work.newHash} has timed out progressing.`,
          now,
        ),
      );
    }
  }
  const status = { ...calculated, conditions };
  const after = findCondition(conditions, 'Progressing');
  const isTimedOut = after?.reason === R.progressDeadlineExceeded;
  return {
    status,
    timedOut: isTimedOut,
    ...deadlineRequeue(after, isComplete(work, status, generation), deadlineSeconds, now),
  };
}

/** DeploymentTimedOut: no progress since lastUpdateTime for longer than the deadline. */
function timedOut(
  current: FleetCondition | undefined,
  deadlineSeconds: number,
  nowMs: number,
): boolean {
  if (current === undefined || current.reason === R.newReplicaSetAvailable) return false;
  if (current.reason === R.progressDeadlineExceeded) return true;
  const from = Date.parse(current.lastUpdateTime ?? current.lastTransitionTime ?? '');
  return Number.isFinite(from) && from + deadlineSeconds * 1000 < nowMs;
}

/** requeueStuckDeployment: look again when the deadline would pass (a second after it). */
function deadlineRequeue(
  current: FleetCondition | undefined,
  complete: boolean,
  deadlineSeconds: number,
  nowMs: number,
): { requeueAfterMs?: number } {
  if (current === undefined || complete || current.reason === R.progressDeadlineExceeded) return {};
  if (current.status !== 'True' || current.reason === R.newReplicaSetAvailable) return {};
  const from = Date.parse(current.lastUpdateTime ?? current.lastTransitionTime ?? '');
  if (!Number.isFinite(from)) return {};
  return { requeueAfterMs: Math.max(0, from + deadlineSeconds * 1000 - nowMs) + 1000 };
}

/** When the next ready-but-not-yet-available cluster turns available (minReadySeconds). */
export function availabilityRequeue(work: RolloutWork): number | undefined {
  if (work.minReadySeconds <= 0) return undefined;
  let soonest: number | undefined;
  for (const g of work.groups)
    for (const c of g.clusters) {
      if (!c.ready || c.readySinceMs === undefined) continue;
      const at = c.readySinceMs + work.minReadySeconds * 1000 - work.nowMs;
      if (at > 0 && (soonest === undefined || at < soonest)) soonest = at;
    }
  return soonest;
}
