/**
 * One step of a Recreate rollout (Kubernetes' recreate.go): delete every old cluster, wait until
 * none is left (even one still being deleted holds GPUs and the old template), then bring the
 * new revision to the desired size. Pure.
 */
import type { FleetCluster } from './fleet-cluster.js';
import type { RolloutWork } from './rollout-work.js';

/** What the step did: `waiting` while old clusters are still on their way out. */
export type RecreateStep = 'scaled-down' | 'waiting' | 'scaled-up' | 'steady';

/** Plans the step into `work`. */
export function recreateStep(work: RolloutWork, clusters: readonly FleetCluster[]): RecreateStep {
  let scaledDown = false;
  for (const g of work.oldGroups) if (work.scaleTo(g.hash, 0)) scaledDown = true;
  if (scaledDown) return 'scaled-down';
  if (clusters.some((c) => c.hash !== work.newHash)) return 'waiting';
  return work.scaleTo(work.newHash, work.replicas) ? 'scaled-up' : 'steady';
}
