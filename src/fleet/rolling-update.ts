/**
 * One step of a RollingUpdate (Kubernetes' rolling.go): grow the new revision up to
 * replicas + maxSurge, else shrink old revisions while at least replicas − maxUnavailable stay
 * available — unavailable old clusters first (cleanupUnhealthyReplicas), then old revisions
 * oldest first. Like the Deployment controller, one step either grows or shrinks. Pure.
 */
import type { Fenceposts } from './fenceposts.js';
import type { RolloutWork } from './rollout-work.js';

/** reconcileNewReplicaSet: true when it changed the new revision's size. */
export function reconcileNewRevision(work: RolloutWork, posts: Fenceposts): boolean {
  const current = work.size(work.newHash);
  if (current === work.replicas) return false;
  if (current > work.replicas) return work.scaleTo(work.newHash, work.replicas);
  // NewRSNewReplicas
  const maxTotal = work.replicas + posts.maxSurge;
  const total = work.totalSize();
  if (total >= maxTotal) return false;
  const scaleUp = Math.min(maxTotal - total, work.replicas - current);
  return work.grow(work.newHash, scaleUp) > 0;
}

/** reconcileOldReplicaSets: true when it shrank an old revision. */
export function reconcileOldRevisions(work: RolloutWork, posts: Fenceposts): boolean {
  const old = work.oldGroups;
  const oldCount = old.reduce((n, g) => n + work.size(g.hash), 0);
  if (oldCount === 0) return false;
  const maxUnavailable = Math.min(posts.maxUnavailable, work.replicas);
  const minAvailable = work.replicas - maxUnavailable;
  const newUnavailable = work.size(work.newHash) - work.availableLeft(work.newHash);
  const maxScaledDown = work.totalSize() - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;

  // Unavailable old clusters go first: removing them costs no availability.
  let cleaned = 0;
  for (const g of old) {
    if (cleaned >= maxScaledDown) break;
    const unhealthy = work.size(g.hash) - work.availableLeft(g.hash);
    cleaned += work.shrink(g.hash, Math.min(maxScaledDown - cleaned, unhealthy), true);
  }

  // scaleDownOldReplicaSetsForRollingUpdate
  let scaled = 0;
  const available = work.groups.reduce((n, g) => n + work.availableLeft(g.hash), 0);
  if (available > minAvailable) {
    const totalScaleDown = available - minAvailable;
    for (const g of old) {
      if (scaled >= totalScaleDown) break;
      const count = Math.min(work.size(g.hash), totalScaleDown - scaled);
      scaled += work.shrink(g.hash, count, false);
    }
  }
  return cleaned + scaled > 0;
}
